__version__ = "0.0.1"
# This file is written by hand: no notebook generates it. nbdev's `nbdev_export` only maintains the
# `__version__` line above (settings.ini: put_version_in_init), so editing the rest is safe.
# Submodules load on first attribute access (PEP 562), so `import calibtut` stays fast and
# `calibtut.losses.bsce_gra_loss` works without importing torchvision.
import importlib as _importlib
import importlib.abc as _abc
import importlib.machinery as _machinery
import json as _json
import pkgutil as _pkgutil
import sys as _sys

_submodules = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith('_'))


# The core install needs only torch, numpy and tqdm; the rest comes in extras (settings.ini):
# vision (torchvision, pillow), plots (matplotlib), compare (scikit-learn, scipy, matplotlib),
# torchmetrics, all, dev. A submodule whose top-level import of one of them fails (calibtut.plots
# without matplotlib) raises one line naming the extra (the finder below turns the error, using
# _EXTRA_OF); an import inside a function says it itself:
#     try: from scipy.stats import t
#     except ModuleNotFoundError as e: raise _missing_extra(e, 'compare') from None
# .ci/deps_check.py checks both against settings.ini.
_EXTRA_OF = {'matplotlib': 'plots', 'torchvision': 'vision', 'PIL': 'vision', 'sklearn': 'compare',
             'scipy': 'compare', 'torchmetrics': 'torchmetrics'}
_EXTRAS = ('vision', 'plots', 'compare', 'torchmetrics', 'all', 'dev')


def _missing_extra(error, extra):
    "The one-line error for a package (`error.name`) that calibtut's extra `extra` installs."
    if extra not in _EXTRAS: raise ValueError(f'extra must be one of {_EXTRAS}, got {extra!r}')
    name = (getattr(error, 'name', None) or str(error)).split('.')[0]
    return ModuleNotFoundError(f"{name} is not installed: it comes with calibtut's {extra!r} extra "
                               f"(pip install 'calibtut[{extra}]')", name=name)


def __getattr__(name):
    if name in _submodules:
        return _importlib.import_module(f'{__name__}.{name}')
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(set(globals()) | set(_submodules))


# Docstrings with a Parameters section, generated from the notebooks' docments by .ci/docstrings.py into
# _docstrings.json, are set on each submodule's public functions and classes right after the submodule
# runs, so that help() and IDEs list the parameters; a missing extra is named (see _EXTRA_OF). The finder
# below only acts on calibtut's own modules.
_docs = None


def _add_docs(module):
    global _docs
    if _docs is None:
        try:
            with open(f'{__path__[0]}/_docstrings.json', encoding='utf-8') as f: _docs = _json.load(f)
        except OSError: _docs = {}
    for qualname, doc in _docs.get(module.__name__.rpartition('.')[2], {}).items():
        obj, *rest = qualname.split('.')
        target = getattr(module, obj, None)
        for attr in rest: target = getattr(target, attr, None)
        try:
            if target is not None: target.__doc__ = doc
        except (AttributeError, TypeError): pass


class _DocFinder(_abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if path is None or name.count('.') != 1 or not name.startswith(__name__ + '.'): return None
        spec = _machinery.PathFinder.find_spec(name, path)
        if spec is None or not isinstance(spec.loader, _machinery.SourceFileLoader): return spec
        run = spec.loader.exec_module
        def exec_module(module):
            try: run(module)
            except ModuleNotFoundError as e:  # a package of an extra: say which extra
                extra = _EXTRA_OF.get((e.name or '').split('.')[0])
                if extra is None: raise
                raise _missing_extra(e, extra) from None
            _add_docs(module)
        spec.loader.exec_module = exec_module
        return spec


if not any(isinstance(f, _DocFinder) for f in _sys.meta_path): _sys.meta_path.insert(0, _DocFinder())
