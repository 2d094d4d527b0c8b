"""Forward+backward time of every calibtut loss relative to F.cross_entropy, measured side by side.

Run: .venv/bin/python nbs/bench/losses.py [--device cpu|cuda] [--rounds 15] [--threads 1] [--clock cpu|wall]
On a shared CPU the default clock is the process CPU time (time.process_time) with one thread, which
is less sensitive to other processes' load than wall time (cache and memory-bandwidth contention still
show: compare ratios from one run, not absolute times across runs); on CUDA the clock is wall time with
synchronisation. At (128, 10) every loss costs a fixed per-call overhead (argument checks, a dozen small
tensor ops, autograd nodes) that F.cross_entropy, two fused kernels, does not pay.
Also times our vectorised FLSD-53 against a per-sample loop in the style of the reference code
(one `.item()` per sample). Target: every GRA loss within 2x of F.cross_entropy.
"""
import argparse, time

import torch
import torch.nn.functional as F

from calibtut.losses import LOSSES, get_loss, flsd53_loss


def flsd53_reference_style(logits, targets):
    "FLSD-53 the way the reference code computes it: gamma chosen per sample in Python with .item()."
    logpt = F.log_softmax(logits, dim=1).gather(1, targets[:, None]).view(-1)
    pt = logpt.exp()
    gammas = []
    for i in range(pt.shape[0]):
        p = pt[i].item()
        gammas.append(5.0 if p < 0.2 else 3.0)
    gamma = torch.tensor(gammas, device=logits.device)
    return (-(1 - pt) ** gamma * logpt).mean()


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize()


CLOCK = time.process_time


def time_fwd_bwd(fn, logits, targets, iters, device):
    "Seconds per forward+backward of fn(logits, targets)."
    sync(device)
    t0 = CLOCK()
    for _ in range(iters):
        z = logits.detach().requires_grad_()
        fn(z, targets).backward()
    sync(device)
    return (CLOCK() - t0) / iters


def bench(fns, n, c, device, rounds, budget=0.02):
    "Best (minimum over rounds) time per call of each fn; rounds interleave the fns so that load changes hit all alike."
    gen = torch.Generator().manual_seed(0)
    logits = (torch.randn(n, c, generator=gen) * 3).to(device)
    targets = torch.randint(0, c, (n,), generator=gen).to(device)
    iters = {}
    for name, fn in fns.items():  # warm-up, and pick iterations for about `budget` seconds per round
        time_fwd_bwd(fn, logits, targets, 2, device)
        iters[name] = max(1, int(budget / max(time_fwd_bwd(fn, logits, targets, 3, device), 1e-6)))
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items(): times[name].append(time_fwd_bwd(fn, logits, targets, iters[name], device))
    return {name: min(ts) for name, ts in times.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--rounds', type=int, default=15)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--clock', default=None, help="'cpu' (process CPU time) or 'wall'; default: cpu on CPU, wall on CUDA")
    args = ap.parse_args()
    global CLOCK
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)
    clock = args.clock or ('cpu' if device.type == 'cpu' else 'wall')
    CLOCK = time.process_time if clock == 'cpu' else time.perf_counter
    print(f"torch {torch.__version__}, device {device}, {torch.get_num_threads()} CPU thread(s), {clock} clock, "
          f"best of {args.rounds} interleaved rounds")
    fns = {'F.cross_entropy': F.cross_entropy}
    fns.update({name: get_loss(name).to(device) for name in LOSSES})
    for n, c in [(4096, 100), (128, 10)]:
        t = bench(fns, n, c, device, args.rounds)
        base = t['F.cross_entropy']
        print(f"\nlogits ({n}, {c}): F.cross_entropy forward+backward = {base * 1e6:.0f} us")
        print(f"{'loss':16} {'us':>9} {'x CE':>7}  GRA target (<= 2x)")
        for name, s in t.items():
            gra = name != 'F.cross_entropy' and LOSSES[name][2].get('gra', False)
            verdict = ('ok' if s / base <= 2 else 'MISSED') if gra else ''
            print(f"{name:16} {s * 1e6:9.0f} {s / base:7.2f}  {verdict}")
    print("\nFLSD-53: vectorised (calibtut) vs per-sample loop with .item() (reference style)")
    for n, c in [(4096, 100), (128, 10)]:
        t = bench({'loop': flsd53_reference_style, 'ours': flsd53_loss}, n, c, device, args.rounds)
        print(f"logits ({n}, {c}): loop {t['loop'] * 1e6:.0f} us, ours {t['ours'] * 1e6:.0f} us, speed-up {t['loop'] / t['ours']:.1f}x")


if __name__ == '__main__':
    main()
