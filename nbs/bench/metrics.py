"""Benchmark: calibtut.metrics (vectorised) vs a reference-style loop over bins/classes, a per-sample Python loop,
and torchmetrics, on CPU, measured side by side in one run.

Run: .venv/bin/python nbs/bench/metrics.py [--quick]

- "ours": the calibtut.metrics function, including its input validation (value checks over all N x K entries);
  "no check": the same with validate=False (shape checks only, no device sync).
- "bin loop": the reference-code style: a Python loop over bins (and classes) with a boolean mask per bin over all
  samples, as in the paper's evaluation code.
- "sample loop": plain Python over samples in float64, like the oracles of the notebook's tests. It is timed on a
  random subsample of SUB samples and scaled linearly to N (the loop is O(N), O(N log N) for adaptive ECE);
  the scaled figure is marked with '~'.
- "torchmetrics": MulticlassCalibrationError(n_bins=15, norm='l1' for ECE, 'max' for MCE), update + compute.
Times are the best of REPEAT runs (one run for anything slower than 2 s), the candidates of one row timed
round-robin. The machine's load is printed:
on a shared machine the figures are noisy, the ratios less so.
"""
import sys, time, math
import numpy as np
import torch
from torchmetrics.classification import MulticlassCalibrationError
from calibtut.metrics import ece, mce, adaptive_ece, classwise_ece, nll, brier_score, calibration_report

N_BINS, REPEAT, SUB = 15, 5, 10_000

def best_time(fn, repeat=REPEAT):
    "Best wall time of `repeat` calls, in seconds"
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
        if times[-1] > 2: break          # slow loops: one run is enough
    return min(times)

def side_by_side(fns, repeat=REPEAT):
    "Best wall time of each of `fns`, timed round-robin so that a change of machine load hits all of them alike"
    best = [math.inf] * len(fns)
    for r in range(repeat):
        for i, f in enumerate(fns):
            if f is None or (r > 0 and best[i] > 2): continue      # slow loops: one run is enough
            t = time.perf_counter(); f(); best[i] = min(best[i], time.perf_counter() - t)
    return best

def data(n, k, seed=0):
    g = torch.Generator().manual_seed(seed)
    z = 3 * torch.randn(n, k, generator=g)
    return (2.5 * z).softmax(1), torch.multinomial(z.softmax(1), 1, generator=g).squeeze(1), 2.5 * z

# --- reference style: loop over bins (and classes) with a mask per bin ---
def _edges(): return torch.linspace(0, 1, N_BINS + 1)

def loop_ece(probs, targets, worst=False):
    conf, pred = probs.max(1); correct = (pred == targets).float()
    e, out = _edges(), []
    for lo, hi in zip(e[:-1], e[1:]):
        m = (conf > lo) & (conf <= hi)
        share = m.float().mean()
        if share > 0: out.append((share, (correct[m].mean() - conf[m].mean()).abs()))
    return max(g for _, g in out) if worst else sum(s * g for s, g in out)

def loop_adaptive(probs, targets):
    conf, pred = probs.max(1); correct = (pred == targets).float()
    c = conf.numpy(); edges = np.interp(np.linspace(0, len(c), N_BINS + 1), np.arange(len(c)), np.sort(c))
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = torch.from_numpy((c > lo) & (c <= hi))
        if m.any(): total += m.float().mean() * (correct[m].mean() - conf[m].mean()).abs()
    return total

def loop_classwise(probs, targets):
    e, k, total = _edges(), probs.shape[1], 0.0
    for c in range(k):
        p, y = probs[:, c], (targets == c).float()
        for lo, hi in zip(e[:-1], e[1:]):
            m = (p > lo) & (p <= hi)
            if m.any(): total += m.float().mean() * (y[m].mean() - p[m].mean()).abs()
    return total / k

def loop_nll(probs, targets): return -probs[torch.arange(len(targets)), targets].log().clamp(min=-100).mean()
def loop_brier(probs, targets): return ((probs - torch.eye(probs.shape[1])[targets]) ** 2).sum(1).mean()

# --- per-sample Python loops (float64) ---
def _bin(c):
    return 0 if c <= 0 else min(math.ceil(c * N_BINS) - 1, N_BINS - 1)

def py_top1(rows, ys):
    out = []
    for r, y in zip(rows, ys):
        k = max(range(len(r)), key=r.__getitem__); out.append((r[k], float(k == y)))
    return out

def py_ece(rows, ys, worst=False):
    s = [[0, 0.0, 0.0] for _ in range(N_BINS)]
    for c, a in py_top1(rows, ys):
        b = s[_bin(c)]; b[0] += 1; b[1] += a; b[2] += c
    gaps = [abs(a - c) / n for n, a, c in s if n]
    return max(gaps) if worst else sum(abs(a - c) for n, a, c in s) / len(rows)

def py_adaptive(rows, ys):
    pairs = sorted(py_top1(rows, ys)); n, g = len(pairs), [0.0] * N_BINS
    for j, (c, a) in enumerate(pairs): g[j * N_BINS // n] += a - c
    return sum(abs(x) for x in g) / n

def py_classwise(rows, ys):
    k = len(rows[0]); s = [[0.0, 0.0] for _ in range(k * N_BINS)]
    for r, y in zip(rows, ys):
        for c, p in enumerate(r):
            b = s[c * N_BINS + _bin(p)]; b[0] += (c == y); b[1] += p
    return sum(abs(f - p) for f, p in s) / (len(rows) * k)

def py_nll(rows, ys): return -sum(max(math.log(r[y]) if r[y] > 0 else -math.inf, -100) for r, y in zip(rows, ys)) / len(rows)
def py_brier(rows, ys): return sum(sum((p - (c == y)) ** 2 for c, p in enumerate(r)) for r, y in zip(rows, ys)) / len(rows)

def tm(norm):
    def f(probs, targets):
        return MulticlassCalibrationError(num_classes=probs.shape[1], n_bins=N_BINS, norm=norm)(probs, targets)
    return f

def bench(n, k):
    probs, targets, logits = data(n, k)
    idx = torch.randperm(n, generator=torch.Generator().manual_seed(1))[:SUB]
    rows, ys = probs[idx].double().tolist(), targets[idx].tolist()
    scale = n / SUB
    cases = [  # name, ours, bin loop, sample loop, torchmetrics, O(N log N)?
        ('ece', ece, loop_ece, py_ece, tm('l1'), False),
        ('mce', mce, lambda p, t: loop_ece(p, t, worst=True), lambda r, y: py_ece(r, y, worst=True), tm('max'), False),
        ('adaptive_ece', adaptive_ece, loop_adaptive, py_adaptive, None, True),
        ('classwise_ece', classwise_ece, loop_classwise, py_classwise, None, False),
        ('nll', nll, loop_nll, py_nll, None, False),
        ('brier', brier_score, loop_brier, py_brier, None, False),
    ]
    print(f"\n(N, K) = ({n:,} x {k}), {N_BINS} bins, fp32 CPU, {torch.get_num_threads()} threads; "
          f"sample loop timed on {SUB:,} samples and scaled x{scale:g}")
    print("ratio = that column's time / ours (above 1: calibtut is faster)")
    print(f"{'metric':14s} {'ours':>9s} {'no check':>9s} {'bin loop':>10s} {'ratio':>7s} {'torchmetrics':>13s} {'ratio':>7s} {'sample loop':>12s} {'ratio':>8s}")
    for name, ours, loop, py, tmf, nlogn in cases:
        t_ours, t_nochk, t_loop, t_tm = side_by_side([lambda: ours(probs, targets), lambda: ours(probs, targets, validate=False),
                                                      lambda: loop(probs, targets), (lambda: tmf(probs, targets)) if tmf else None])
        s = scale * (math.log(n) / math.log(SUB) if nlogn else 1)
        t_py = best_time(lambda: py(rows, ys), repeat=1) * s
        tm_cols = f"{t_tm * 1e3:11.1f}ms {t_tm / t_ours:6.1f}x" if tmf else f"{'-':>13s} {'-':>7s}"
        print(f"{name:14s} {t_ours * 1e3:7.1f}ms {t_nochk * 1e3:7.1f}ms {t_loop * 1e3:8.1f}ms {t_loop / t_ours:6.1f}x {tm_cols} "
              f"{'~':>1s}{t_py:9.2f}s {t_py / t_ours:7.0f}x")
    t_rep, *t_each = side_by_side([lambda: calibration_report(logits, targets)] +
                                  [lambda f=f: f(probs, targets) for f in (ece, mce, adaptive_ece, classwise_ece, nll, brier_score)])
    t_sum = sum(t_each)
    print(f"calibration_report(logits) (all 7 metrics, softmax included): {t_rep * 1e3:.1f}ms "
          f"(the six functions one by one: {t_sum * 1e3:.1f}ms)")
    # agreement, so that the timings compare like with like
    for name, ours, loop in [('ece', ece, loop_ece), ('classwise_ece', classwise_ece, loop_classwise)]:
        assert abs(float(ours(probs, targets)) - float(loop(probs, targets))) < 1e-4, name

if __name__ == '__main__':
    quick = '--quick' in sys.argv
    print(f"torch {torch.__version__}, load average {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}")
    shapes = [(100_000, 10), (10_000, 100)] if quick else [(1_000_000, 10), (100_000, 100)]
    for n, k in shapes: bench(n, k)
