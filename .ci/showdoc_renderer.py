"""The `show_doc` renderer of the offline site (.ci/docs points nbdev's docs processors at it).

fastcore's MarkdownRenderer (settings.ini's `renderer`) writes no heading, so an API entry on the
site has nothing to link to, and its signature is not the one written: it drops the keyword-only `*`
and the positional-only `/`, and adds annotations guessed from the defaults (`b=1` shows as
`b:int=1`, `w=None` as `w:NoneType=None`). `HeadingRenderer` writes a heading with the symbol's name
(the site gives it an id) and the signature as `inspect.signature` reads it, with fastcore's
docments kept as comments. It is used only by the documentation tooling: the library never
imports it.
"""
import inspect
from types import FunctionType

from fastcore.docments import MarkdownRenderer

__all__ = ['HeadingRenderer', 'format_signature']


def _value(o):
    "A default as it reads in source: functions and classes by name, anything else by repr"
    return o.__name__ if isinstance(o, (FunctionType, type)) else repr(o)


def _param(p):
    star = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '')
    out = star + p.name
    if p.annotation is not p.empty:
        a = p.annotation
        out += ':' + (a if isinstance(a, str) else inspect.formatannotation(a)).replace(' ', '')
    if p.default is not p.empty: out += '=' + _value(p.default)
    return out


def format_signature(name, sig, prefix='def', comments=None, maxline=100):
    """`prefix name(params) -> ret:` for an `inspect.Signature`, with the `/` and `*` markers where
    the signature has them; `comments` ({parameter or 'return': text}) are written as `# text` after
    their parameter, which then ends its line; lines are filled up to `maxline` characters"""
    comments = comments or {}
    items, params = [], list(sig.parameters.values())
    kinds = [p.kind for p in params]
    for i, p in enumerate(params):
        if p.kind is p.KEYWORD_ONLY and inspect.Parameter.VAR_POSITIONAL not in kinds and \
                (i == 0 or params[i - 1].kind is not p.KEYWORD_ONLY):
            items.append(('*', ''))
        items.append((_param(p), comments.get(p.name) or ''))
        last_positional_only = i + 1 == len(params) or params[i + 1].kind is not p.POSITIONAL_ONLY
        if p.kind is p.POSITIONAL_ONLY and last_positional_only: items.append(('/', ''))
    ret = ''
    if sig.return_annotation is not sig.empty:
        a = sig.return_annotation
        ret = ' -> ' + (a if isinstance(a, str) else inspect.formatannotation(a))
    ret_doc = f"  # {comments['return']}" if comments.get('return') else ''
    one_line = f"{prefix} {name}({', '.join(t for t, _ in items)}){ret}:"
    if not any(c for _, c in items) and len(one_line) <= maxline: return one_line + ret_doc
    lines, cur = [], []
    for text, doc in items:
        if cur and len('    ' + ', '.join(cur + [text]) + ',') > maxline:
            lines.append(', '.join(cur) + ',')
            cur = []
        cur.append(text)
        if doc:
            lines.append(', '.join(cur) + ',  # ' + '\n    # '.join(doc.splitlines()))
            cur = []
    if cur: lines.append(', '.join(cur))
    body = '\n    '.join(lines)
    return f"{prefix} {name}(\n    {body}\n){ret}:{ret_doc}"


def _italic_first_paragraph(s):
    "The docstring's first paragraph (its summary) in italics, the rest as it is"
    first, _, rest = s.strip().partition('\n\n')
    first = ' '.join(first.split()).replace('*', r'\*')
    return f'*{first}*' + (f'\n\n{rest}' if rest else '')


class HeadingRenderer(MarkdownRenderer):
    "fastcore's MarkdownRenderer with a heading per entry and the signature as written"
    def signature(self):
        sym = self.sym
        if self.sig is None: return str(self.dm)
        prefix = ('class' if inspect.isclass(sym) else
                  'async def' if inspect.iscoroutinefunction(sym) else 'def')
        name = getattr(sym, '__name__', self.nm.rsplit('.', 1)[-1])
        try: comments = {k: v.get('docment') for k, v in self.dm.dm.items()}
        except Exception: comments = {}
        return format_signature(name, self.sig, prefix, comments, maxline=self.maxline)

    def _repr_markdown_(self):
        doc = f"{'#' * self.title_level} {self.nm}\n\n```python\n{self.signature()}\n```"
        if self.docs: doc += '\n\n' + _italic_first_paragraph(self.docs)
        return doc

    def __repr__(self): return self.signature() + (f'\n"""{self.docs}"""' if self.docs else '')
    __str__ = __repr__
