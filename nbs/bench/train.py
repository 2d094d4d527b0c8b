"""Training throughput of calibtut.train.fit against a reference-style loop, and batched vs looped temperature grid.

Run: .venv/bin/python nbs/bench/train.py  [--device cuda] [--n N] [--batch 128] [--repeats 3] [--workers W]
     [--loss bsce_gra] [--no-resnet] [--dry-run]

Side by side in one run, on the same model and synthetic CIFAR-shaped data (uint8, 3x32x32, 10 classes):
- `fit`: GPULoader (data on the device, augmentation there), device-side metrics, bf16 + channels_last on CUDA;
- reference-style: torchvision Dataset of PIL images with PIL transforms (crop + flip + ToTensor + Normalize), one
  DataLoader built once and warmed up outside the timing, loss summed, grad clip 2, `.item()` every step;
- two comparisons: like-for-like (the reference loop with fit's precision, memory layout, loss and drop_last, so
  only the loop differs) and full stack (the reference as it is: fp32, NCHW, cross-entropy, partial last batch);
- temperature: the paper's 100-point grid by ECE, batched (calibtut) vs one temperature at a time (metrics.ece per T).
On CUDA additionally: ResNet-50 throughput of `fit`, eager and compiled, and achieved TFLOP/s (count_flops x 3 for
forward + backward) against the detected GPU's dense bf16 peak (PEAKS; no percentage for an unknown GPU).
`--dry-run` runs every part with a tiny model and a few steps on the CPU, to check the script itself.

Predictions for one H200, before any measurement: ResNet-50 eager about 11-14k img/s, compiled 15-18k; these are
estimates from kernel counts and memory traffic, and only a run of this script on the GPU gives real numbers.
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
# dense (no sparsity) bf16 tensor-core peaks, FLOP/s, by a substring of torch.cuda.get_device_name()
PEAKS = [('H200 NVL', 835e12), ('H200', 989e12), ('H100 80GB HBM3', 989e12), ('H100 SXM', 989e12), ('A100', 312e12)]


def bf16_peak(name):
    "The dense bf16 peak of GPU `name` (FLOP/s), or None when it is not in PEAKS."
    return next((p for key, p in PEAKS if key in name), None)


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


class ReferenceLoop:
    "The reference way of training: a PIL DataLoader (built once, workers kept alive), `.item()` every step."
    def __init__(self, model, images, labels, batch, device, workers, amp=False, channels_last=False, loss='ce',
                 drop_last=False):
        self.dl = torch.utils.data.DataLoader(PILDataset(images, labels), batch_size=batch, shuffle=True,
                                              num_workers=workers, pin_memory=device.type == 'cuda',
                                              persistent_workers=workers > 0, drop_last=drop_last)
        self.model, self.device, self.amp, self.channels_last = model.to(device), device, amp, channels_last
        if channels_last: self.model.to(memory_format=torch.channels_last)
        self.loss = get_loss(loss); self.loss.reduction = 'sum'
        self.opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

    def epoch(self):
        "One epoch; returns images/s."
        self.model.train()
        t0, seen, running = time.perf_counter(), 0, 0.0
        for x, y in self.dl:
            x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
            if self.channels_last: x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
                logits = self.model(x)
            loss = self.loss(logits.float(), y)
            self.opt.zero_grad(); loss.backward()
            nn.utils.clip_grad_norm_(self.model.parameters(), 2.0)
            self.opt.step()
            running += loss.item()  # host sync every step, as in the reference code
            _ = (logits.argmax(1) == y).sum().item()
            seen += len(y)
        if self.device.type == 'cuda': torch.cuda.synchronize()
        return seen / (time.perf_counter() - t0)


def fit_epochs(model, images, labels, batch, device, epochs=1, loss='ce', drop_last=True, **kw):
    "Epochs of calibtut's fit; returns images/s over the timed epochs (after a warm-up epoch)."
    cl = kw.get('channels_last')
    loader = GPULoader(images, labels, batch, shuffle=True, augment=True, mean=MEAN, std=STD, device=device,
                       channels_last=device.type == 'cuda' if cl is None else cl, drop_last=drop_last)
    fit(model, get_loss(loss), loader, epochs=1, lr=0.01, device=device, progress=False, **kw)  # warm-up (and compile)
    if device.type == 'cuda': torch.cuda.synchronize()
    t0 = time.perf_counter()
    hist = fit(model, get_loss(loss), loader, epochs=epochs, lr=0.01, device=device, progress=False, **kw)
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


def compare(label, name, images, labels, batch, device, workers, repeats, epochs, ref_kw, fit_kw):
    "Median images/s of the reference loop and of fit on the same model, interleaved; prints one block."
    torch.manual_seed(0)
    m_ref = get_model(name, in_channels=3)
    m_fit = get_model(name, in_channels=3); m_fit.load_state_dict(m_ref.state_dict())
    ref_loop = ReferenceLoop(m_ref, images, labels, batch, device, workers, **ref_kw)
    ref_loop.epoch()  # warm-up: workers started, cuDNN and allocator ready
    refs, fits = [], []
    for _ in range(repeats):  # interleaved, so both see the same machine load
        refs.append(ref_loop.epoch())
        fits.append(fit_epochs(m_fit, images, labels, batch, device, epochs=epochs, **fit_kw)[0])
    ref, ours = float(np.median(refs)), float(np.median(fits))
    print(f"\n[{label}: {name}, {len(labels)} images 3x32x32, batch {batch}, median of {repeats} interleaved runs]")
    print(f"  reference loop {ref_kw}: {ref:10.0f} img/s  (runs: {', '.join(f'{r:.0f}' for r in refs)})")
    print(f"  calibtut fit   {fit_kw}: {ours:10.0f} img/s  (runs: {', '.join(f'{r:.0f}' for r in fits)})")
    print(f"  ratio fit / reference: {ours / ref:.2f}x")
    return ref, ours


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--device', default=None, help="'cpu' or 'cuda' (default: cuda if available)")
    ap.add_argument('--n', type=int, default=None, help='training images (default 1024 on CPU, 45000 on CUDA)')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--workers', type=int, default=None, help='DataLoader workers of the reference loop')
    ap.add_argument('--epochs', type=int, default=None, help='timed epochs of fit (default 1 on CPU, 3 on CUDA)')
    ap.add_argument('--repeats', type=int, default=3, help='interleaved repetitions of the small-model comparison')
    ap.add_argument('--loss', default='bsce_gra', help='loss of the like-for-like comparison')
    ap.add_argument('--no-resnet', action='store_true', help='skip the ResNet-50 part on CUDA')
    ap.add_argument('--dry-run', action='store_true', help='tiny sizes on the CPU: checks that the script runs')
    args = ap.parse_args()
    device = torch.device('cpu' if args.dry_run else args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    cuda = device.type == 'cuda'
    if args.dry_run: args.n, args.batch, args.repeats, args.epochs, args.workers = 64, 16, 1, 1, 0
    n = args.n or (45_000 if cuda else 1024)
    workers = args.workers if args.workers is not None else (8 if cuda else 0)
    epochs = args.epochs or (3 if cuda else 1)
    gpu = torch.cuda.get_device_name(device) if cuda else 'cpu'
    print(f"device {gpu}, torch {torch.__version__}, threads {torch.get_num_threads()}")
    images, labels = synthetic(n)

    # 1. the same small model both ways: like-for-like, then each loop's defaults
    same = dict(amp=cuda, channels_last=cuda, loss=args.loss, drop_last=True)
    compare('like-for-like', 'digits_net', images, labels, args.batch, device, workers, args.repeats, epochs,
            same, dict(amp='bf16' if cuda else False, channels_last=cuda, loss=args.loss, drop_last=True))
    compare('full stack vs the reference as it is', 'digits_net', images, labels, args.batch, device, workers,
            args.repeats, epochs, dict(), dict(drop_last=True))
    if not cuda: print("  (CPU: compute-bound, syncs are free; the loop's gains are on a GPU)")

    # 2. temperature grid
    for nv, k in (((256, 10),) if args.dry_run else ((5000, 10), (5000, 100))):
        r = temperature_bench(nv, k, device)
        (tb, Tb), (tl, Tl) = r['batched grid'], r['per-T loop']
        print(f"\n[temperature grid, 100 T, N={nv}, K={k}] batched {1e3 * tb:.1f} ms, per-T loop {1e3 * tl:.1f} ms, "
              f"ratio {tl / tb:.1f}x; chosen T {Tb} vs {Tl}")

    # 3. ResNet-50 on CUDA (a tiny network in a dry run)
    if (cuda and not args.no_resnet) or args.dry_run:
        torch.manual_seed(0)
        name = 'digits_net' if args.dry_run else 'resnet50'
        model = get_model(name, in_channels=3)
        fwd, peak = count_flops(model, (1, 3, 32, 32)), bf16_peak(gpu) if cuda else None
        for compile_ in ((False,) if args.dry_run else (False, True)):
            ips, hist = fit_epochs(model, images, labels, args.batch, device, epochs=epochs, compile=compile_)
            tflops = 3 * fwd * ips / 1e12
            share = (f" = {100 * tflops * 1e12 / peak:.1f}% of the {peak / 1e12:.0f} TFLOP/s dense bf16 peak"
                     if peak else " (peak of this device unknown: no percentage)")
            print(f"\n[{name}, {n} images, batch {args.batch}, compile={compile_}] {ips:,.0f} img/s; "
                  f"{45_000 / ips:.2f} s per 45k epoch; {tflops:.2f} TFLOP/s{share} "
                  f"(forward {fwd / 1e9:.4f} GFLOP/image, training ~3x)")
        if args.n is None and cuda:
            m_ref = get_model('resnet50')
            loop = ReferenceLoop(m_ref, images[:10_000], labels[:10_000], args.batch, device, workers)
            loop.epoch()  # warm-up
            ref = loop.epoch()
            print(f"[resnet50 reference-style loop, 10k images, fp32, {workers} workers] {ref:,.0f} img/s; "
                  f"fit (last run above) / reference {ips / ref:.1f}x")
    if args.dry_run: print("\ndry run: ok")


if __name__ == '__main__':
    main()
