"""Run nbdev's docs processors (what `nbdev_proc_nbs` runs) on each notebook separately and report every failure.

`nbdev_proc_nbs` stops at the first failing notebook; this reports all of them, with the cell index and the error.
Usage: python .ci/proc_check.py [--static] [NOTEBOOK ...]   (default: every notebook in nbs/)

Why it fails: nbdev's `exec_show_docs` runs, in a fresh interpreter, only the exported cells, the cells with an
import and the cells calling show_doc. Such a cell that also uses a name made by an ordinary cell raises
NameError. --static lists every such mixed cell (all of them, not only the first), without running anything.
"""
import os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r'''
import os, sys, traceback
os.environ["IN_TEST"] = "1"
from execnb.nbio import read_nb
from nbdev.processors import FilterDefaults
nb = read_nb(sys.argv[1])
try: FilterDefaults()(nb)
except Exception as e:
    cause = e.__cause__
    src = str(e).split(':\n', 1)[-1]
    orig = [(i, c.get('id')) for i, c in enumerate(read_nb(sys.argv[1]).cells) if c.source == src]
    print(str(e).splitlines()[0] + (f' = cell {orig[0][0]} (id {orig[0][1]}) of the notebook file' if orig else ''))
    print('  first line: ' + src.splitlines()[0] if src.strip() else '')
    if cause is not None: print(f"{type(cause).__name__}: {cause}")
    else: traceback.print_exc(file=sys.stdout)
    sys.exit(1)
'''


def static(nb_path):
    "Cells nbdev_proc_nbs executes that also hold other statements: (index, id, first line)"
    import ast
    from execnb.nbio import read_nb
    from nbdev.process import NBProcessor
    from nbdev.processors import _do_eval
    out = []
    for i, c in enumerate(NBProcessor(nb=read_nb(nb_path)).nb.cells):
        if c.cell_type != 'code' or not _do_eval(c) or c.directives_.keys() & {'export', 'exports', 'exporti'}:
            continue
        body = [n for n in ast.parse(c.source).body]
        imp = lambda n: isinstance(n, (ast.Import, ast.ImportFrom))
        sd = lambda n: (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                        and getattr(n.value.func, 'id', '') == 'show_doc')
        if any(not (imp(n) or sd(n)) for n in body):
            first = next(l for l in c.source.splitlines() if l.strip() and not l.startswith('#|'))
            out.append((i, c.get('id'), first[:90]))
    return out


def main(names):
    if names and names[0] == '--static':
        nbs = [Path(n) for n in names[1:]] or sorted((ROOT / 'nbs').glob('[!_.]*.ipynb'))
        for nb in nbs:
            for i, cid, first in static(nb): print(f'{nb.name} cell {i} (id {cid}): {first}')
        return 0
    nbs = [Path(n) for n in names] or sorted((ROOT / 'nbs').glob('[!_.]*.ipynb'))
    failed = []
    for nb in nbs:
        r = subprocess.run([sys.executable, '-c', CHILD, str(nb.resolve())], cwd=nb.resolve().parent,
                           capture_output=True, text=True)
        if r.returncode:
            failed.append(nb.name)
            print(f'FAIL {nb.name}\n  ' + '\n  '.join((r.stdout or r.stderr).strip().splitlines()[-8:]))
        else: print(f'ok   {nb.name}')
    print(f'{len(nbs) - len(failed)} passed, {len(failed)} failed')
    return 1 if failed else 0


if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
