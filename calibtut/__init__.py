__version__ = "0.0.1"
# This file is written by hand: no notebook generates it. nbdev's `nbdev_export` only maintains the
# `__version__` line above (settings.ini: put_version_in_init), so editing the rest is safe.
# Submodules load on first attribute access (PEP 562), so `import calibtut` stays fast and
# `calibtut.losses.bsce_gra_loss` works without importing torchvision.
import importlib as _importlib
import pkgutil as _pkgutil

_submodules = sorted(m.name for m in _pkgutil.iter_modules(__path__) if not m.name.startswith('_'))


def __getattr__(name):
    if name in _submodules:
        return _importlib.import_module(f'{__name__}.{name}')
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted(set(globals()) | set(_submodules))
