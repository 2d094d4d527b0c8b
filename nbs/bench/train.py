"""Training throughput of calibtut.train.fit against a reference-style loop, and batched vs looped temperature grid.

Run: .venv/bin/python nbs/bench/train.py  [--n N] [--batch 128] [--repeats 3] [--workers W] [--no-resnet]

Side by side in one run, on the same model and synthetic CIFAR-shaped data (uint8, 3x32x32, 10 classes):
- `fit`: GPULoader (data on the device, augmentation there), device-side metrics, bf16 + channels_last on CUDA;
- reference-style: torchvision Dataset of PIL images with PIL transforms (crop + flip + ToTensor + Normalize),
  DataLoader, fp32, loss summed, grad clip 2, `.item()` every step;
- temperature: the paper's 100-point grid by ECE, batched (calibtut) vs one temperature at a time (metrics.ece per T).
On CUDA additionally: ResNet-50 throughput of `fit` and achieved TFLOP/s (count_flops x 3 for forward + backward)
against the H200's dense bf16 peak (~790 TFLOP/s).
"""
import argparse, time, os
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image
from calibtut.data import GPULoader
from calibtut.models import get_model, count_flops
from calibtut.losses import get_loss
from calibtut.metrics import ece
from calibtut.temperature import fit_temperature, temperature_grid
from calibtut.train import fit

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)
H200_BF16_PEAK = 790e12


def synthetic(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 256, (n, 3, 32, 32), dtype=torch.uint8, generator=g), torch.randint(0, 10, (n,), generator=g)


class PILDataset(torch.utils.data.Dataset):
    "The reference pipeline: numpy HWC uint8 -> PIL image -> torchvision transforms, one sample at a time."
    def __init__(self, images, labels):
        self.images, self.labels = images.permute(0, 2, 3, 1).numpy(), labels.tolist()
        self.tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(MEAN, STD)])
    def __len__(self): return len(self.labels)
    def __getitem__(self, i): return self.tf(Image.fromarray(self.images[i])), self.labels[i]


def reference_epoch(model, images, labels, batch, device, workers):
    "One epoch the reference way; returns images/s."
    dl = torch.utils.data.DataLoader(PILDataset(images, labels), batch_size=batch, shuffle=True, num_workers=workers,
                                     pin_memory=device.type == 'cuda')
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    model.train()
    t0, seen, running = time.perf_counter(), 0, 0.0
    for x, y in dl:
        x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = F.cross_entropy(logits, y, reduction='sum')
        opt.zero_grad(); loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        opt.step()
        running += loss.item()  # host sync every step, as in the reference code
        _ = (logits.argmax(1) == y).sum().item()
        seen += len(y)
    if device.type == 'cuda': torch.cuda.synchronize()
    return seen / (time.perf_counter() - t0)


def fit_epochs(model, images, labels, batch, device, epochs=1, **kw):
    "Epochs of calibtut's fit; returns images/s over the timed epochs (after a warm-up epoch)."
    loader = GPULoader(images, labels, batch, shuffle=True, augment=True, mean=MEAN, std=STD, device=device,
                       channels_last=device.type == 'cuda', drop_last=True)
    fit(model, get_loss('ce'), loader, epochs=1, lr=0.01, device=device, progress=False, **kw)  # warm-up (and compile)
    if device.type == 'cuda': torch.cuda.synchronize()
    t0 = time.perf_counter()
    hist = fit(model, get_loss('ce'), loader, epochs=epochs, lr=0.01, device=device, progress=False, **kw)
    if device.type == 'cuda': torch.cuda.synchronize()
    return len(loader) * batch * epochs / (time.perf_counter() - t0), hist


def temperature_bench(n, k, device, repeats=3):
    g = torch.Generator().manual_seed(0)
    logits = (3 * torch.randn(n, k, generator=g)).to(device)
    targets = torch.multinomial((logits / 3).softmax(1).cpu(), 1, generator=g).squeeze(1).to(device)
    temps = temperature_grid()
    def looped():
        eces = torch.stack([ece((logits / t).softmax(1), targets) for t in temps.tolist()])
        return temps[eces.argmin().item()].item()
    def batched(): return fit_temperature(logits, targets, method='grid', criterion='ece')
    out = {}
    for name, f in (('batched grid', batched), ('per-T loop', looped)):
        f()
        ts = []
        for _ in range(repeats):
            t0 = time.perf_counter(); t = f()
            if device.type == 'cuda': torch.cuda.synchronize()
            ts.append(time.perf_counter() - t0)
        out[name] = (float(np.median(ts)), t)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=None, help='training images (default 1024 on CPU, 45000 on CUDA)')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--workers', type=int, default=None, help='DataLoader workers of the reference loop')
    ap.add_argument('--epochs', type=int, default=None, help='timed epochs of fit (default 1 on CPU, 3 on CUDA)')
    ap.add_argument('--repeats', type=int, default=3, help='interleaved repetitions of the small-model comparison')
    ap.add_argument('--no-resnet', action='store_true', help='skip the ResNet-50 part on CUDA')
    args = ap.parse_args()
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    cuda = device.type == 'cuda'
    n = args.n or (45_000 if cuda else 1024)
    workers = args.workers if args.workers is not None else (8 if cuda else 0)
    epochs = args.epochs or (3 if cuda else 1)
    print(f"device {torch.cuda.get_device_name() if cuda else 'cpu'}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    images, labels = synthetic(n)

    # 1. the same small model both ways
    torch.manual_seed(0)
    name = 'digits_net'
    m_ref = get_model(name, in_channels=3).to(device)
    m_fit = get_model(name, in_channels=3)
    m_fit.load_state_dict(m_ref.state_dict())
    reference_epoch(m_ref, images[:4 * args.batch], labels[:4 * args.batch], args.batch, device, workers)  # warm-up
    refs, fits = [], []
    for _ in range(args.repeats):  # interleaved, so both see the same machine load
        refs.append(reference_epoch(m_ref, images, labels, args.batch, device, workers))
        fits.append(fit_epochs(m_fit, images, labels, args.batch, device, epochs=epochs)[0])
    ref, ours = float(np.median(refs)), float(np.median(fits))
    print(f"\n[{name}, {n} images 3x32x32, batch {args.batch}, median of {args.repeats} interleaved runs]")
    print(f"  reference-style loop (PIL + DataLoader({workers} workers), fp32, .item() per step): {ref:10.0f} img/s  (runs: {', '.join(f'{r:.0f}' for r in refs)})")
    print(f"  calibtut fit (GPULoader{', bf16, channels_last' if cuda else ', fp32'}):                 {ours:10.0f} img/s  (runs: {', '.join(f'{r:.0f}' for r in fits)})")
    print(f"  ratio fit / reference: {ours / ref:.2f}x" + ("" if cuda else "  (CPU: compute-bound, syncs are free; the loop's gains are on a GPU)"))

    # 2. temperature grid
    for nv, k in ((5000, 10), (5000, 100)):
        r = temperature_bench(nv, k, device)
        (tb, Tb), (tl, Tl) = r['batched grid'], r['per-T loop']
        print(f"\n[temperature grid, 100 T, N={nv}, K={k}] batched {1e3 * tb:.1f} ms, per-T loop {1e3 * tl:.1f} ms, "
              f"ratio {tl / tb:.1f}x; chosen T {Tb} vs {Tl}")

    # 3. ResNet-50 on CUDA
    if cuda and not args.no_resnet:
        torch.manual_seed(0)
        model = get_model('resnet50')
        fwd = count_flops(model, (1, 3, 32, 32))
        for compile_ in (False, True):
            ips, hist = fit_epochs(model, images, labels, args.batch, device, epochs=epochs, compile=compile_)
            tflops = 3 * fwd * ips / 1e12
            print(f"\n[resnet50, {n} images, batch {args.batch}, bf16, channels_last, compile={compile_}] {ips:,.0f} img/s; "
                  f"{45_000 / ips:.2f} s per 45k epoch; {tflops:.0f} TFLOP/s = {100 * tflops * 1e12 / H200_BF16_PEAK:.1f}% of ~790 TFLOP/s bf16 peak "
                  f"(forward {fwd / 1e9:.2f} GFLOP/image, training ~3x)")
        if args.n is None:
            m_ref = get_model('resnet50').to(device)
            ref = reference_epoch(m_ref, images[:10_000], labels[:10_000], args.batch, device, workers)
            print(f"[resnet50 reference-style loop, 10k images, fp32, {workers} workers] {ref:,.0f} img/s; fit/reference {ips / ref:.1f}x")


if __name__ == '__main__':
    main()
