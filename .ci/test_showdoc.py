#!/usr/bin/env python3
"""Test .ci/showdoc_renderer.py: nbdev's show_doc with HeadingRenderer writes a heading and the
signature as written (keyword-only `*`, positional-only `/`, no annotation that the source lacks,
docments as comments), where fastcore's MarkdownRenderer (settings.ini) drops the markers.
Usage: python .ci/test_showdoc.py"""
import importlib, sys, tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from showdoc_renderer import HeadingRenderer  # noqa: E402
from nbdev.showdoc import show_doc  # noqa: E402

# show_doc needs the source of what it documents (docments parses it): the examples go to a module
SRC = '''
def f(a, *, b=1):
    "Doc of f"
    return a

def g(a, /, c, *args, b: int = 1, **kw) -> int:
    "Doc of g"

def h(x,  # the input
      *, scale: float = 2.0,  # how much
      w=None):
    "Doc of h"

def plain(): "No parameters"

class Loss:
    "A loss"
    def __init__(self, weight=None, *, gamma=2.0, reduction='mean'): pass
    def fit(self, logits, /, *, lr=0.01): "Fit it"
'''


def md(o, **kw): return show_doc(o, renderer=HeadingRenderer, **kw)._repr_markdown_()


def main():
    d = tempfile.mkdtemp()
    Path(d, 'sd_examples.py').write_text(SRC)
    sys.path.insert(0, d)
    m = importlib.import_module('sd_examples')
    failures = []
    def expect(got, *parts, absent=()):
        for p in parts:
            if p not in got: failures.append(f'{p!r} not in:\n{got}')
        for p in absent:
            if p in got: failures.append(f'{p!r} should not be in:\n{got}')
    expect(md(m.f), '### f\n', '```python\ndef f(a, *, b=1):\n```', '*Doc of f*',
           absent=['b:int'])
    expect(md(m.g), 'def g(a, /, c, *args, b:int=1, **kw) -> int:')
    expect(md(m.h),
           'def h(\n    x,  # the input\n    *, scale:float=2.0,  # how much\n    w=None\n):',
           absent=['NoneType'])
    expect(md(m.plain), 'def plain():')
    expect(md(m.Loss), '### Loss\n', "class Loss(weight=None, *, gamma=2.0, reduction='mean'):",
           '*A loss*')
    expect(md(m.Loss.fit), '### Loss.fit\n', 'def fit(self, logits, /, *, lr=0.01):')
    expect(md(m.f, title_level=4), '#### f\n')
    # the check is not vacuous: fastcore's renderer, the one settings.ini names, loses the marker
    from fastcore.docments import MarkdownRenderer
    plain_md = show_doc(m.f, renderer=MarkdownRenderer)._repr_markdown_()
    expect(plain_md, absent=['*, b'])
    for msg in failures: print('FAIL', msg)
    print(f'{"FAILED" if failures else "ok"}: show_doc renderer, {len(failures)} failures')
    return 1 if failures else 0


if __name__ == '__main__': sys.exit(main())
