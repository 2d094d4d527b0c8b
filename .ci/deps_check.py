"""Declared dependencies (settings.ini `requirements`) must match what calibtut/*.py imports.

Fails on an imported third-party module that no requirement provides, and on a requirement that no module
imports. Usage: python .ci/deps_check.py
"""
import ast, configparser, re, shlex, sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini', encoding='utf-8')
    declared = {re.split(r'[<>=!~\[; ]', r)[0].lower().replace('_', '-')
                for r in shlex.split(cfg['DEFAULT'].get('requirements', ''))}
    imported = {}
    for f in sorted((ROOT / 'calibtut').glob('*.py')):
        for node in ast.walk(ast.parse(f.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Import): names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level: names = [node.module]
            else: continue
            for n in names: imported.setdefault(n.split('.')[0], set()).add(f.name)
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
    for p in problems: print('FAIL', p)
    print(f'dependencies: {len(declared)} declared, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__': sys.exit(main())
