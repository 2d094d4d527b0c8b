#!/usr/bin/env python3
"""Generate calibtut/_docstrings.json: each public function's and class's docstring with a Parameters
section built from its docments (the `# comment` after each parameter in the notebooks), so that help(),
IDEs and `__doc__` list the parameters the book documents. calibtut/__init__.py applies the file when a
submodule is imported (a dict lookup per name: no parsing at import time).

Usage: python .ci/docstrings.py                   # (re)write the file after nbdev_export
       python .ci/docstrings.py --check [--strict]  # exit 1 if the file is stale (--strict: or a
                                                    # parameter of the core modules has no docment)
"""
import argparse, importlib, inspect, json, pkgutil, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / 'calibtut' / '_docstrings.json'
CORE = ('losses', 'metrics', 'temperature', 'gradients')  # every parameter of these must be described


def _fmt(x):
    if x is inspect.Parameter.empty: return None
    if isinstance(x, type): return x.__name__
    return str(x).replace('typing.', '')


def _default(x):
    "A default as the reader would write it: a function by its name, never a memory address"
    if callable(x) and hasattr(x, '__qualname__'): return f"{getattr(x, '__module__', '')}.{x.__qualname__}".lstrip('.')
    return re.sub(r' at 0x[0-9a-f]+', '', repr(x))


def params_section(fn, glossary={}, owner='', skip=('self', 'cls')):
    """The Parameters (and Returns) section of `fn` from its docments, else the module's `_PARAM_DOCS`
    (`owner.name` first); parameters its docstring already describes (a line `name: ...`) are left out.
    Returns the section and the names with no description anywhere."""
    from fastcore.docments import docments
    try: d = docments(fn, full=True)
    except (TypeError, ValueError, OSError): return '', []
    in_doc = set(re.findall(r'^\s*\*{0,2}(\w+):', own_doc(fn), flags=re.M))
    if owner: in_doc |= set(re.findall(r'^\s*\*{0,2}(\w+):', own_doc(owner[1]), flags=re.M))
    lines, missing, sig = [], [], inspect.signature(fn)
    for name, info in d.items():
        if name in skip or name == 'return' or name in in_doc: continue
        info = dict(info, docment=info['docment'] or glossary.get(f'{owner[0] if owner else ""}.{name}')
                    or glossary.get(name))
        kind = info.get('kind')
        star = {inspect.Parameter.VAR_POSITIONAL: '*', inspect.Parameter.VAR_KEYWORD: '**'}.get(kind, '')
        # the annotation written in the signature (fastcore's docments guesses one from the default)
        real = sig.parameters[name].annotation if name in sig.parameters else inspect.Parameter.empty
        anno, default = _fmt(real), info['default']
        head = f"{star}{name}" + (f" : {anno}" if anno else '')
        if default is not inspect.Parameter.empty: head += f", default {_default(default)}"
        lines.append(head)
        if info['docment']: lines.append(f"    {info['docment']}")
        else: missing.append(name)
    ret = d.get('return', {})
    out = ''
    if lines: out += 'Parameters\n----------\n' + '\n'.join(lines)
    ret_anno = _fmt(sig.return_annotation)
    if ret.get('docment') or ret_anno:
        out += ('\n\n' if out else '') + 'Returns\n-------\n' + (ret_anno or '') + (
            f"\n    {ret['docment']}" if ret.get('docment') else '')
    return out, missing


def own_doc(obj):
    "The docstring written in the notebook (not one inherited from a base class)"
    doc = obj.__dict__.get('__doc__') if isinstance(obj, type) else obj.__doc__
    return inspect.cleandoc(doc) if doc else ''


def build():
    import calibtut
    calibtut._docs = {}  # the notebooks' own docstrings, not the generated ones being replaced
    docs, missing = {}, {}
    for m in sorted(x.name for x in pkgutil.iter_modules(calibtut.__path__) if not x.name.startswith('_')):
        mod = importlib.import_module(f'calibtut.{m}')
        entries = {}
        glossary = getattr(mod, '_PARAM_DOCS', {})
        for name in getattr(mod, '__all__', []):
            obj = getattr(mod, name, None)
            if inspect.isfunction(obj) and obj.__module__ == mod.__name__:
                sec, miss = params_section(obj, glossary)
                if sec: entries[name] = (own_doc(obj) + '\n\n' + sec).strip()
                if miss: missing[f'{m}.{name}'] = miss
            elif inspect.isclass(obj) and obj.__module__ == mod.__name__:
                init = obj.__dict__.get('__init__')
                if init is not None:
                    sec, miss = params_section(init, glossary, (name, obj))
                    if sec:
                        entries[name] = (own_doc(obj) + '\n\n' + sec).strip()
                        entries[f'{name}.__init__'] = entries[name]
                    if miss: missing[f'{m}.{name}'] = miss
                for meth, f in obj.__dict__.items():
                    if meth.startswith('_') or not inspect.isfunction(f): continue
                    sec, miss = params_section(f, glossary, (name, obj))
                    if sec: entries[f'{name}.{meth}'] = (own_doc(f) + '\n\n' + sec).strip()
                    if miss: missing[f'{m}.{name}.{meth}'] = miss
        if entries: docs[m] = entries
    return docs, missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--strict', action='store_true', help='--check also fails on an undocumented core parameter')
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    docs, missing = build()
    text = json.dumps(docs, indent=0, sort_keys=True, ensure_ascii=False) + '\n'
    core_missing = {k: v for k, v in missing.items() if k.split('.')[0] in CORE}
    for k, v in sorted(core_missing.items()): print(f'no description for {", ".join(v)} in {k}')
    n = sum(len(v) for v in docs.values())
    if a.check:
        stale = not OUT.exists() or OUT.read_text(encoding='utf-8') != text
        if stale: print(f'{OUT.relative_to(ROOT)} is stale: run python .ci/docstrings.py after nbdev_export')
        print(f'{n} docstrings; {len(core_missing)} core entries with undocumented parameters')
        return 1 if stale or (a.strict and core_missing) else 0
    OUT.write_text(text, encoding='utf-8')
    print(f'wrote {OUT.relative_to(ROOT)}: {n} docstrings; {len(core_missing)} core entries with '
          f'undocumented parameters, {len(missing) - len(core_missing)} elsewhere')
    return 0


if __name__ == '__main__': sys.exit(main())
