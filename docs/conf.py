"""Sphinx configuration of the documentation site.

Build it from the repository root, warnings as errors::

    python -m sphinx -W -b html docs docs/_build/html

The Markdown pages of ``docs/`` are the site's pages (myst-parser), the README
and the contributor's guide are included by two wrapper pages, the API
reference is generated from the docstrings (autosummary, numpydoc) and the
gallery runs the scripts of ``examples/`` (sphinx-gallery). Nothing is loaded
from the network when a page is read.
"""
import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The library is imported from the repository root, as users import it.
sys.path.insert(0, str(ROOT))

# The wrapper page of each repository file the site holds as a page.
WRAPPED = {ROOT / "README.md": DOCS / "index.md",
           ROOT / "CONTRIBUTING.md": DOCS / "contributing.md"}

project = "Dictionary recovery benchmark"
author = "the benchmark's contributors"
copyright = "the benchmark's contributors"

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
templates_path = ["_templates"]
exclude_patterns = ["_build"]

# Markdown: anchors of headings down to level 3 (``page.md#a-section``).
myst_heading_anchors = 3

# API reference: a page per public name, the names of each package's
# ``__all__`` (docs/_templates/autosummary/package.rst).
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    # Every script of the gallery runs at build time.
    "filename_pattern": "/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "doc_module": ("benchmark_utils",),
    "backreferences_dir": "api/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    # Its pages of computation times load DataTables from a CDN.
    "write_computation_times": False,
}

html_theme = "pydata_sphinx_theme"
html_title = project
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["site.css"]

# A Markdown link or image: ``[text](target#anchor)``, ``![alt](target)``.
LINK = re.compile(r"(!?)(\[[^\]]*\]\()([^)\s#]*)(#[^)\s]*)?(\))")


def _rebase(text, source_dir, page_dir):
    """Point the relative Markdown links of ``text`` at the same files.

    ``source_dir`` is where the text's file lives, ``page_dir`` the folder of
    the page it is rendered in. A link to the README or the contributor's
    guide goes to the page that includes it; a link to another repository
    file outside ``docs/`` (a solver, a study's configuration) becomes a
    download of that file (MyST's ``path:`` links); links to the site's own
    pages and images keep their target.
    """
    def repl(match):
        image, head, target, anchor, tail = match.groups()
        if not target or re.match(r"[a-z][a-z0-9+.-]*:", target):
            return match.group(0)
        path = Path(os.path.normpath(source_dir / target))
        path = WRAPPED.get(path, path)
        new = Path(os.path.relpath(path, page_dir)).as_posix()
        if not image and path.is_file() and DOCS not in path.parents:
            new = f"path:{new}"
        return f"{image}{head}{new}{anchor or ''}{tail}"

    return LINK.sub(repl, text)


def _page_dir(app, docname):
    return (Path(app.srcdir) / docname).parent


def _source_read(app, docname, source):
    page_dir = _page_dir(app, docname)
    source[0] = _rebase(source[0], page_dir, page_dir)


def _include_read(app, relative_path, parent_docname, content):
    included = Path(os.path.normpath(Path(app.srcdir) / relative_path))
    content[0] = _rebase(content[0], included.parent,
                         _page_dir(app, parent_docname))


def setup(app):
    app.connect("source-read", _source_read)
    app.connect("include-read", _include_read)
