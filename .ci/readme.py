"""Regenerate README.md from nbs/index.ipynb without Quarto.

`nbdev_readme` renders the index notebook with Quarto, which cannot be installed offline. This script applies the
same nbdev processors that Quarto's input goes through (hidden cells, directives, front matter), then converts the
result to GitHub markdown with nbconvert. Usage: python .ci/readme.py [--check]
"""
import sys, tempfile
from pathlib import Path

import yaml
from execnb.nbio import read_nb, write_nb
from nbconvert import MarkdownExporter
from nbdev.config import get_config
from nbdev.processors import FilterDefaults


def render_readme(cfg):
    nb = read_nb(cfg.nbs_path / cfg.readme_nb)
    FilterDefaults()(nb)
    out = []
    for cell in nb.cells:
        src = cell.source
        if cell.cell_type == 'raw' and src.startswith('---'):  # the front matter nbdev made of "# title / > description"
            meta = yaml.safe_load(src.strip().strip('-'))
            out.append(f"# {meta.get('title', cfg.lib_name)}\n\n> {meta['description']}" if meta.get('description')
                       else f"# {meta.get('title', cfg.lib_name)}")
            continue
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d) / 'cell.ipynb'
            single = read_nb(cfg.nbs_path / cfg.readme_nb)
            single.cells = [cell]
            write_nb(single, tmp)
            body, _ = MarkdownExporter().from_filename(str(tmp))
        out.append(body.strip())
    text = '\n\n'.join(o for o in out if o) + '\n'
    # images (and the study's committed figures) live beside the notebooks; README.md is one level up
    return text.replace('](images/', '](nbs/images/').replace('](results/', '](nbs/results/')


if __name__ == '__main__':
    cfg = get_config()
    text = render_readme(cfg)
    readme = cfg.config_path / 'README.md'
    if '--check' in sys.argv:
        if readme.read_text() != text:
            sys.exit('README.md is out of date with nbs/index.ipynb: run `python .ci/readme.py` and commit README.md')
        print('README.md is in sync with nbs/index.ipynb')
    else:
        readme.write_text(text)
        print(f'wrote {readme}')
