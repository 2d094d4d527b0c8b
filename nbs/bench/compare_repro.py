"""Benchmark and reproducibility check of the default `calibtut-compare`.

Run: .venv/bin/python nbs/bench/compare_repro.py [--threads 1 2] [extra calibtut-compare arguments]

Runs the default `calibtut-compare` once per OMP_NUM_THREADS value (default: 1 and 2), each into its own folder,
and prints for each run the wall time (the command's own figure and the time of the whole process, imports
included), the CPU time of the process and its workers, and the machine's load average before and after.
Then it checks that the metrics of all runs are identical (compare.json without its 'timing' entry) and
prints the largest 95 % CI half-width of the ECE claims on the known-posterior task (target: <= 0.005).
On a shared machine the wall times are inflated by the other processes; the CPU time divided by the number
of cores bounds what a quiet machine needs.
"""
import argparse, json, os, resource, subprocess, sys, tempfile, time
from pathlib import Path


def load():
    return ' '.join(Path('/proc/loadavg').read_text().split()[:3]) if Path('/proc/loadavg').exists() else '?'


def run(threads, out, extra):
    "One calibtut-compare run -> (compare.json without timing, command's wall time, process wall, CPU)"
    script = Path(sys.executable).parent / 'calibtut-compare'
    cmd = [str(script) if script.exists() else 'calibtut-compare', '--out', out, '--no-progress'] + extra
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0, l0 = time.perf_counter(), load()
    p = subprocess.run(cmd, env=dict(os.environ, OMP_NUM_THREADS=str(threads)), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode: sys.exit(f"calibtut-compare failed (OMP_NUM_THREADS={threads}):\n{p.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    j = json.loads((Path(out) / 'compare.json').read_text())
    print(f"OMP_NUM_THREADS={threads}: command {j['timing']['wall_time']:.1f} s, process {wall:.1f} s, "
          f"CPU {cpu:.1f} s ({j['timing']['workers']} workers); load before {l0}, after {load()}")
    return {k: v for k, v in j.items() if k != 'timing'}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, nargs='+', default=[1, 2], help="OMP_NUM_THREADS values")
    a, extra = ap.parse_known_args()
    with tempfile.TemporaryDirectory() as d:
        results = [run(t, str(Path(d) / f'omp{t}'), extra) for t in a.threads]
    same = all(r == results[0] for r in results[1:])
    print(f"metrics identical across OMP_NUM_THREADS={a.threads}: {same}")
    hw = [(c['ci_high'] - c['ci_low']) / 2 for c in results[0]['claims']
          if c['dataset'] == 'mixture' and c['metric'] in ('ece', 'posterior_ece')]
    if hw: print(f"largest CI half-width of an ECE claim on the mixture: {max(hw):.4f} (target <= 0.005)")
    if not same: sys.exit(1)


if __name__ == '__main__':
    main()
