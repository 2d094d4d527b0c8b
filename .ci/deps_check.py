"""Declared dependencies (settings.ini) must match what calibtut/*.py imports.

- An import outside `try` is required: its distribution must be in `requirements` (the core install),
  unless `calibtut/__init__.py`'s `_EXTRA_OF` names its extra (a module that imports it at the top then
  fails with one line naming that extra): then it must be in that extra.
- An import inside `try: ... except ModuleNotFoundError as e: raise _missing_extra(e, 'X')` is optional and
  belongs to the extra X: its distribution must be in `X_requirements` (setup.py turns each into an extra;
  'all' and 'dev' are their union). Other unguarded imports of the same module in the same file are covered
  by the guard (they run after it).
- Any other guarded import (`except ImportError:` doing without) must be declared in some extra or in
  `dev_requirements`.
- Every requirement of the core and of each extra must be imported by some module.
Usage: python .ci/deps_check.py
"""
import ast, configparser, re, shlex, sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDLED = ('ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException')


def norm(requirement): return re.split(r'[<>=!~\[; ]', requirement)[0].lower().replace('_', '-')


def handler_extra(handler):
    "The extra named by `_missing_extra(e, 'X')` in an except clause, or None"
    for n in ast.walk(handler):
        if (isinstance(n, ast.Call) and getattr(n.func, 'id', getattr(n.func, 'attr', None)) == '_missing_extra'
                and len(n.args) == 2 and isinstance(n.args[1], ast.Constant)):
            return n.args[1].value
    return None


def imports(tree):
    "(top-level module, extra or '' if guarded without an extra or None if unguarded, node) per import"
    guard = {}
    for t in ast.walk(tree):
        if not isinstance(t, ast.Try): continue
        hs = [h for h in t.handlers if h.type is None or (isinstance(h.type, ast.Name) and h.type.id in HANDLED)]
        if not hs: continue
        extra = next((e for e in map(handler_extra, hs) if e), '')
        for b in t.body:
            for n in ast.walk(b): guard.setdefault(id(n), extra)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import): names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level: names = [node.module]
        else: continue
        for n in names: yield n.split('.')[0], guard.get(id(node)), node


def main():
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini', encoding='utf-8')
    d = cfg['DEFAULT']
    core = {norm(r) for r in shlex.split(d.get('requirements', ''))}
    extras = {k[:-len('_requirements')]: {norm(r) for r in shlex.split(v)} for k, v in d.items()
              if k.endswith('_requirements') and k not in ('dev_requirements',)}
    extras['all'] = set().union(*extras.values()) if extras else set()
    dev = {norm(r) for r in shlex.split(d.get('dev_requirements', ''))}
    extras['dev'] = extras['all'] | dev
    init = ast.parse((ROOT / 'calibtut' / '__init__.py').read_text(encoding='utf-8'))
    extra_of = next((ast.literal_eval(n.value) for n in init.body if isinstance(n, ast.Assign)
                     and getattr(n.targets[0], 'id', None) == '_EXTRA_OF'), {})
    dists = packages_distributions()
    dist_of = lambda mod: {x.lower().replace('_', '-') for x in dists.get(mod, [])} or {mod.replace('_', '-')}
    problems, used, used_core = [], set(), set()
    for f in sorted((ROOT / 'calibtut').glob('*.py')):
        found = [(m, extra_of.get(m) if e is None else e)
                 for m, e, _ in imports(ast.parse(f.read_text(encoding='utf-8')))
                 if m != 'calibtut' and m not in sys.stdlib_module_names]
        covered = {m for m, e in found if e}
        for mod, extra in found:
            ds = dist_of(mod)
            if extra is None and mod in covered: continue
            if extra is None:
                if not ds & core:
                    problems.append(f'{mod} (imported by {f.name}) is not in requirements: add {sorted(ds)[0]} '
                                    f'there, or guard the import with the extra that provides it')
                used_core |= ds & core
            elif extra:
                if extra not in extras: problems.append(f'{f.name}: _missing_extra names an unknown extra {extra!r}')
                elif not ds & extras[extra]:
                    problems.append(f'{mod} (optional in {f.name}) is not in {extra}_requirements')
                used |= ds & extras.get(extra, set())
            else:
                if not ds & extras['dev']:
                    problems.append(f'{mod} (optional in {f.name}) is declared in no extra nor dev_requirements')
                used |= ds & extras['all']
    for r in sorted(core - used_core):
        problems.append(f'{r} is in requirements but no module of calibtut imports it outside an extra')
    for name, reqs in [(f'{k}_requirements', v) for k, v in extras.items()
                                                   if k not in ('all', 'dev')]:
        for r in sorted(reqs - used): problems.append(f'{r} is in {name} but no module of calibtut imports it')
    for p in problems: print('FAIL', p)
    print(f'dependencies: core {sorted(core)}, extras {sorted(k for k in extras)}, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__': sys.exit(main())
