"""Benchmark: calibtut.metrics against torchmetrics (with targets) and, with --detail,
against a reference-style loop over bins and a per-sample Python loop, on CPU, side by side in one
run.

Run: .venv/bin/python nbs/bench/metrics.py [--quick] [--detail] [--compile] [--threads T]

Targets (ratio = calibtut's time / torchmetrics' time, measured in the same run):
- `ece(probs, targets)` with its default checks on, against torchmetrics'
  `MulticlassCalibrationError(n_bins=15, norm='l1')` (update + compute, its default checks on),
  at (N, K) = (1e5, 10), (1e6, 10), (1e5, 100): ratio <= 1.0.
- `CalibrationMeter`: update with ten batches of logits + compute, over 1e6 x 10, against the same
  torchmetrics metric fed the same ten batches (it keeps every confidence): ratio <= 2.0; the
  meter's state (the tensors of `state_dict()`) <= 1 MiB after the 1e6 samples.
Times are the best of REPEAT runs, the candidates of one row timed round-robin so that a change of
the machine's load hits all of them alike; one thread by default (--threads to change). The load
average is printed: on a shared machine the figures are noisy, the ratios less so.
--compile adds torch.compile'd `ece` (its first call, the compilation, is not timed).
--detail adds the old per-metric tables: "bin loop" is the reference-code style (a boolean mask
per bin over all samples), "sample loop" plain Python in float64 timed on SUB samples and scaled.
"""
import sys, time, math, os
import numpy as np
import torch
from torchmetrics.classification import MulticlassCalibrationError
from calibtut.metrics import (ece, mce, adaptive_ece, classwise_ece, nll, brier_score,
                              calibration_report, CalibrationMeter)

N_BINS, REPEAT, SUB = 15, 7, 10_000
MIB = 2 ** 20

def best_time(fn, repeat=REPEAT):
    "Best wall time of `repeat` calls, in seconds"
    times = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
        if times[-1] > 2: break          # slow loops: one run is enough
    return min(times)

def side_by_side(fns, repeat=REPEAT):
    "Best wall time of each of `fns`, timed round-robin"
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

def tm(norm):
    def f(probs, targets):
        m = MulticlassCalibrationError(num_classes=probs.shape[1], n_bins=N_BINS, norm=norm)
        return m(probs, targets)
    return f

def state_bytes(state):
    "Bytes held by the tensors of a state dict (lists of tensors included)"
    total = 0
    for v in state.values():
        for t in (v if isinstance(v, (list, tuple)) else [v]):
            if isinstance(t, torch.Tensor): total += t.numel() * t.element_size()
    return total

def tm_state_bytes(m):
    return sum(t.numel() * t.element_size() for name in m._defaults
               for t in (getattr(m, name) if isinstance(getattr(m, name), list)
                         else [getattr(m, name)]))

# --- the target rows ---
ROWS = []      # (what, ours, reference, ratio, target, unit)

def row(what, ours, ref, target, unit='x'):
    ROWS.append((what, ours, ref, ours / ref if ref else ours, target, unit))

def ece_rows(shapes, compiled):
    for n, k in shapes:
        probs, targets, _ = data(n, k)
        assert abs(float(ece(probs, targets)) - float(loop_ece(probs, targets))) < 1e-5
        fns = [lambda: ece(probs, targets), lambda: tm('l1')(probs, targets),
               lambda: ece(probs, targets, validate=False)]
        if compiled is not None:
            compiled(probs, targets)                          # compile outside the timing
            fns.append(lambda: compiled(probs, targets))
        t = side_by_side(fns)
        row(f"ece ({n:.0e}, {k}) / torchmetrics", t[0], t[1], 1.0)
        row(f"  ece validate=False ({n:.0e}, {k}) / torchmetrics", t[2], t[1], None)
        if compiled is not None: row(f"  torch.compile(ece) ({n:.0e}, {k}) / torchmetrics",
                                     t[3], t[1], None)

def meter_rows(n, k, batches=10):
    _, targets, logits = data(n, k)
    chunks = list(zip(logits.chunk(batches), targets.chunk(batches)))
    def ours():
        m = CalibrationMeter()
        for z, y in chunks: m.update(z, y)
        return m, m.compute()
    def theirs():
        m = MulticlassCalibrationError(num_classes=k, n_bins=N_BINS, norm='l1')
        for z, y in chunks: m.update(z, y)
        return m, m.compute()
    t_ours, t_tm = side_by_side([ours, theirs], repeat=7)
    m, rep = ours()
    m_tm, v_tm = theirs()
    assert abs(rep['ece'] - float(loop_ece(logits.softmax(1), targets))) < 1e-5
    exact = adaptive_ece(logits, targets, N_BINS, from_logits=True).item()
    row(f"meter: {batches} updates + compute ({n:.0e}, {k}) / torchmetrics", t_ours, t_tm, 2.0)
    row(f"meter state after {n:.0e} samples (MiB)", state_bytes(m.state_dict()) / MIB, None, 1.0,
        unit='MiB')
    row(f"  torchmetrics state after {n:.0e} samples (MiB)", tm_state_bytes(m_tm) / MIB, None,
        None, unit='MiB')
    print(f"meter adaptive_ece {rep['adaptive_ece']:.6f}, exact {exact:.6f}, "
          f"difference {rep['adaptive_ece'] - exact:+.2e}")

def print_rows():
    print(f"\n{'what':58s} {'ours':>10s} {'reference':>10s} {'ratio':>8s} {'target':>7s}  ")
    for what, ours, ref, ratio, target, unit in ROWS:
        if unit == 'MiB':
            o, r, v = f"{ours:.3f}MiB", '', f"{ratio:.3f}"
        else:
            o, r, v = f"{ours * 1e3:.1f}ms", f"{ref * 1e3:.1f}ms", f"{ratio:.2f}x"
        verdict = '' if target is None else ('pass' if ratio <= target else 'FAIL')
        tgt = '' if target is None else f"<={target:g}"
        print(f"{what:58s} {o:>10s} {r:>10s} {v:>8s} {tgt:>7s}  {verdict}")

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
    c = conf.numpy()
    edges = np.interp(np.linspace(0, len(c), N_BINS + 1), np.arange(len(c)), np.sort(c))
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

def loop_nll(probs, targets):
    return -probs[torch.arange(len(targets)), targets].log().clamp(min=-100).mean()
def loop_brier(probs, targets):
    return ((probs - torch.eye(probs.shape[1])[targets]) ** 2).sum(1).mean()

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

def py_nll(rows, ys):
    return -sum(max(math.log(r[y]) if r[y] > 0 else -math.inf, -100)
                for r, y in zip(rows, ys)) / len(rows)
def py_brier(rows, ys):
    return sum(sum((p - (c == y)) ** 2 for c, p in enumerate(r))
               for r, y in zip(rows, ys)) / len(rows)

def detail(n, k):
    probs, targets, logits = data(n, k)
    idx = torch.randperm(n, generator=torch.Generator().manual_seed(1))[:SUB]
    rows, ys = probs[idx].double().tolist(), targets[idx].tolist()
    scale = n / SUB
    cases = [  # name, ours, bin loop, sample loop, torchmetrics, O(N log N)?
        ('ece', ece, loop_ece, py_ece, tm('l1'), False),
        ('mce', mce, lambda p, t: loop_ece(p, t, worst=True),
         lambda r, y: py_ece(r, y, worst=True), tm('max'), False),
        ('adaptive_ece', adaptive_ece, loop_adaptive, py_adaptive, None, True),
        ('classwise_ece', classwise_ece, loop_classwise, py_classwise, None, False),
        ('nll', nll, loop_nll, py_nll, None, False),
        ('brier', brier_score, loop_brier, py_brier, None, False),
    ]
    print(f"\n(N, K) = ({n:,} x {k}), {N_BINS} bins; sample loop timed on {SUB:,} samples and "
          f"scaled x{scale:g}")
    print("ratio = that column's time / ours (above 1: calibtut is faster)")
    print(f"{'metric':14s} {'ours':>9s} {'no check':>9s} {'bin loop':>10s} {'ratio':>7s} "
          f"{'torchmetrics':>13s} {'ratio':>7s} {'sample loop':>12s} {'ratio':>8s}")
    for name, ours, loop, py, tmf, nlogn in cases:
        t_ours, t_nochk, t_loop, t_tm = side_by_side(
            [lambda: ours(probs, targets), lambda: ours(probs, targets, validate=False),
             lambda: loop(probs, targets), (lambda: tmf(probs, targets)) if tmf else None])
        s = scale * (math.log(n) / math.log(SUB) if nlogn else 1)
        t_py = best_time(lambda: py(rows, ys), repeat=1) * s
        tm_cols = f"{t_tm * 1e3:11.1f}ms {t_tm / t_ours:6.1f}x" if tmf else f"{'-':>13s} {'-':>7s}"
        print(f"{name:14s} {t_ours * 1e3:7.1f}ms {t_nochk * 1e3:7.1f}ms {t_loop * 1e3:8.1f}ms "
              f"{t_loop / t_ours:6.1f}x {tm_cols} {'~':>1s}{t_py:9.2f}s {t_py / t_ours:7.0f}x")
    t_rep, *t_each = side_by_side(
        [lambda: calibration_report(logits, targets)] +
        [lambda f=f: f(probs, targets)
         for f in (ece, mce, adaptive_ece, classwise_ece, nll, brier_score)])
    print(f"calibration_report(logits) (all 7 metrics, softmax included): {t_rep * 1e3:.1f}ms "
          f"(the six functions one by one: {sum(t_each) * 1e3:.1f}ms)")
    for name, ours, loop in [('ece', ece, loop_ece), ('classwise_ece', classwise_ece,
                                                       loop_classwise)]:
        assert abs(float(ours(probs, targets)) - float(loop(probs, targets))) < 1e-4, name

if __name__ == '__main__':
    args = sys.argv[1:]
    quick = '--quick' in args
    torch.set_num_threads(int(args[args.index('--threads') + 1]) if '--threads' in args else 1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), fp32 CPU, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    compiled = None
    if '--compile' in args:
        compiled = torch.compile(ece)
    if quick: ece_rows([(10_000, 10), (100_000, 10), (10_000, 100)], compiled)
    else: ece_rows([(100_000, 10), (1_000_000, 10), (100_000, 100)], compiled)
    meter_rows(100_000 if quick else 1_000_000, 10)
    print_rows()
    if '--detail' in args:
        for n, k in ([(100_000, 10), (10_000, 100)] if quick else
                     [(1_000_000, 10), (100_000, 100)]): detail(n, k)
