"""Images per second: calibtut's GPULoader versus torchvision's DataLoader with PIL transforms.

Both loaders produce the same thing from the same synthetic CIFAR-shaped uint8 data: batches of randomly cropped
(padding 4), randomly flipped, normalised float32 images and their labels, on the chosen device. The DataLoader path
is the reference code's: PIL images, RandomCrop(32, padding=4), RandomHorizontalFlip, ToTensor, Normalize, in
`--workers` worker processes, then a copy to the device. Runs alternate between the two loaders (so both see the same
machine load) and the script prints the median of each and their ratio.

On a GPU it also times a ResNet-50 training step (forward + backward + SGD, bf16 autocast, channels_last) fed by each
loader and by one fixed batch (no loading at all), to show whether loading still limits training.

    python nbs/bench/data.py                 # CPU (or the GPU if there is one)
    python nbs/bench/data.py --threads 1     # on a small or busy CPU, where torch's intra-op threads oversubscribe it
    python nbs/bench/data.py --device cuda --n 50000
"""
import argparse, os, statistics, time

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from torch.utils.data import DataLoader

from calibtut.data import CIFAR_MEAN, CIFAR_STD, GPULoader


class PILDataset(torch.utils.data.Dataset):
    "HWC uint8 images served as PIL images through `transform`, as torchvision's CIFAR10 does"
    def __init__(self, images, labels, transform): self.images, self.labels, self.transform = images, labels, transform
    def __len__(self): return len(self.images)
    def __getitem__(self, i): return self.transform(Image.fromarray(self.images[i])), int(self.labels[i])


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def epoch_rate(make_batches, device, n_batches=None):
    "Images per second over one pass (or the first `n_batches`), batches moved to and finished on `device`"
    sync(device)
    t, n = time.perf_counter(), 0
    for k, (x, y) in enumerate(make_batches()):
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        x.sum()  # touch the batch so that lazy work is done
        n += len(x)
        if n_batches and k + 1 >= n_batches: break
    sync(device)
    return n / (time.perf_counter() - t)


def train_rate(model, opt, batches, device, steps):
    "Images per second of `steps` ResNet training steps fed by `batches` (an iterator of (x, y))"
    loss_fn = torch.nn.CrossEntropyLoss()
    sync(device)
    t, n = time.perf_counter(), 0
    for _ in range(steps):
        x, y = next(batches)
        x = x.to(device, non_blocking=True).contiguous(memory_format=torch.channels_last)
        y = y.to(device, non_blocking=True)
        with torch.autocast(device.type, dtype=torch.bfloat16):
            loss = loss_fn(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        n += len(x)
    sync(device)
    return n / (time.perf_counter() - t)


def forever(loader):
    while True: yield from loader


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--n', type=int, default=None, help='images (default 10,000 on CPU, 50,000 on GPU)')
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--workers', type=int, default=min(8, os.cpu_count() or 1))
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--train-steps', type=int, default=30)
    ap.add_argument('--threads', type=int, default=None, help="torch threads of the main process (default: torch's)")
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    n = a.n or (50_000 if device.type == 'cuda' else 10_000)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)  # HWC, as torchvision's CIFAR10 holds them
    labels = rng.integers(0, 10, n)
    print(f'device {device} ({torch.cuda.get_device_name(device) if device.type == "cuda" else f"{os.cpu_count()} CPU cores"}), '
          f'torch {torch.__version__}, {n:,} images 3x32x32, batch {a.batch_size}, DataLoader workers {a.workers}, '
          f'torch threads {torch.get_num_threads()}')

    tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(CIFAR_MEAN, CIFAR_STD)])
    dl = DataLoader(PILDataset(images, labels, tf), batch_size=a.batch_size, shuffle=True, num_workers=a.workers,
                    pin_memory=device.type == 'cuda', persistent_workers=a.workers > 0, drop_last=False)
    gl = GPULoader(torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(labels), a.batch_size,
                   augment=True, mean=CIFAR_MEAN, std=CIFAR_STD, device=device)
    epoch_rate(lambda: dl, device, n_batches=5); epoch_rate(lambda: gl, device, n_batches=5)  # warm-up (workers, kernels)
    rates = {'DataLoader+PIL': [], 'GPULoader': []}
    for _ in range(a.repeats):
        rates['DataLoader+PIL'].append(epoch_rate(lambda: dl, device))
        rates['GPULoader'].append(epoch_rate(lambda: gl, device))
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f'\nloading one epoch (median of {a.repeats} alternating runs), images/s:')
    for k, v in rates.items(): print(f'  {k:15s} {med[k]:12,.0f}   runs: ' + ', '.join(f'{r:,.0f}' for r in v))
    print(f'  ratio GPULoader / DataLoader+PIL: {med["GPULoader"] / med["DataLoader+PIL"]:.1f}x')

    if device.type != 'cuda': return
    try: from calibtut.models import get_model
    except ImportError: return print('\ncalibtut.models not available: skipping the ResNet-50 training step')
    torch.backends.cudnn.benchmark = True
    model = get_model('resnet50', num_classes=10).to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x0, y0 = next(iter(gl))
    feeds = {'fixed batch': lambda: iter(lambda: (x0, y0), None), 'DataLoader+PIL': lambda: forever(dl),
             'GPULoader': lambda: forever(gl)}
    for f in feeds.values(): train_rate(model, opt, f(), device, 5)  # warm-up
    tr = {k: [] for k in feeds}
    for _ in range(a.repeats):
        for k, f in feeds.items(): tr[k].append(train_rate(model, opt, f(), device, a.train_steps))
    print(f'\nResNet-50 training step (bf16 autocast, channels_last, {a.train_steps} steps, median of {a.repeats}), images/s:')
    for k, v in tr.items(): print(f'  {k:15s} {statistics.median(v):12,.0f}   runs: ' + ', '.join(f'{r:,.0f}' for r in v))
    fixed = statistics.median(tr['fixed batch'])
    for k in ('DataLoader+PIL', 'GPULoader'):
        print(f'  {k} reaches {statistics.median(tr[k]) / fixed:.0%} of the no-loading rate')


if __name__ == '__main__':
    main()
