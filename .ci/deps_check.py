"""Declared dependencies (settings.ini `requirements`) must match what calibtut/*.py imports.

Fails on an imported third-party module that no requirement provides, and on a requirement that no module
imports. An import inside `try: ... except ImportError` (or a broader handler) is optional: its module must be declared in
`dev_requirements` instead (the code that needs it says how to install it). Usage: python .ci/deps_check.py
"""
import ast, configparser, re, shlex, sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini', encoding='utf-8')
    names_of = lambda key: {re.split(r'[<>=!~\[; ]', r)[0].lower().replace('_', '-')
                            for r in shlex.split(cfg['DEFAULT'].get(key, ''))}
    declared, dev = names_of('requirements'), names_of('dev_requirements')
    imported, optional = {}, {}
    for f in sorted((ROOT / 'calibtut').glob('*.py')):
        tree = ast.parse(f.read_text(encoding='utf-8'))
        guarded = {id(n) for t in ast.walk(tree) if isinstance(t, ast.Try)
                   and any(h.type is None or (isinstance(h.type, ast.Name) and h.type.id in (
                           'ImportError', 'ModuleNotFoundError', 'Exception', 'BaseException'))
                           for h in t.handlers)
                   for b in t.body for n in ast.walk(b)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import): names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level: names = [node.module]
            else: continue
            into = optional if id(node) in guarded else imported
            for n in names: into.setdefault(n.split('.')[0], set()).add(f.name)
    dists = packages_distributions()
    needed, problems = set(), []
    for mod, files in sorted(imported.items()):
        if mod == 'calibtut' or mod in sys.stdlib_module_names: continue
        ds = {d.lower().replace('_', '-') for d in dists.get(mod, [])}
        if not ds: problems.append(f'{mod} (imported by {", ".join(sorted(files))}) is not installed')
        elif not ds & declared:
            problems.append(f'{mod} (imported by {", ".join(sorted(files))}) is not declared: add {sorted(ds)[0]}')
        needed |= ds & declared
    for d in sorted(declared - needed): problems.append(f'{d} is declared but no module of calibtut imports it')
    for mod, files in sorted(optional.items()):
        if mod == 'calibtut' or mod in sys.stdlib_module_names or mod in imported: continue
        ds = {d.lower().replace('_', '-') for d in dists.get(mod, [])} or {mod.replace('_', '-')}
        if not ds & (dev | declared):
            problems.append(f'{mod} (optional import in {", ".join(sorted(files))}) is not declared '
                            f'in dev_requirements: add {sorted(ds)[0]}')
    for p in problems: print('FAIL', p)
    print(f'dependencies: {len(declared)} declared, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__': sys.exit(main())
