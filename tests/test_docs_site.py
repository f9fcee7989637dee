"""The documentation site: API reference, gallery, offline pages.

The quick tests read the gallery's scripts: they use only the public names of
the five packages. The integration tests build the site with warnings as
errors (or read the build named by ``DICTREC_DOCS_HTML``, which ``.ci/run``
builds first), check that every public name has its page and every example
its figure, that no page loads anything from the network, and open the index
and a gallery page in a headless Chromium with every host name unresolvable,
as the dashboard test does.
"""
import ast
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
PACKAGES = ("simulation", "metrics", "coding", "learning", "neural")
BROWSERS = ("chromium", "chromium-browser", "google-chrome",
            "google-chrome-stable")
# A resource the browser would fetch from another host: a script, a
# stylesheet, a font, an image (plain links to other sites are fine).
REMOTE = re.compile(
    r"<(?:script|img|iframe)[^>]*\ssrc=[\"'](?:https?:)?//"
    r"|<link[^>]*\shref=[\"'](?:https?:)?//"
    r"|url\([\"']?(?:https?:)?//")


def _public_names(package):
    return importlib.import_module(f"benchmark_utils.{package}").__all__


def _library_imports(path):
    """``(module, name)`` of every import from ``benchmark_utils`` in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "benchmark_utils":
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names
                      if alias.name.split(".")[0] == "benchmark_utils"]
    return found


def test_the_gallery_has_at_least_six_examples():
    assert len(EXAMPLES) >= 6, [path.name for path in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_examples_use_only_public_names(path):
    imports = _library_imports(path)
    assert imports, f"{path.name} uses nothing of the library"
    for module, name in imports:
        if name is None:  # ``import benchmark_utils``, to locate the checkout
            assert module == "benchmark_utils", module
            continue
        package = module.removeprefix("benchmark_utils.")
        assert package in PACKAGES, f"{path.name} imports from {module}"
        assert name in _public_names(package), \
            f"{path.name} imports {name}, not in {module}.__all__"


@pytest.mark.parametrize("package", PACKAGES)
def test_public_names_are_importable_and_unique(package):
    names = _public_names(package)
    assert len(names) == len(set(names)), package
    module = importlib.import_module(f"benchmark_utils.{package}")
    for name in names:
        assert not name.startswith("_"), name
        assert hasattr(module, name), f"{package}.__all__ lists {name}"


OUTSIDE_SCRIPT = """
import numpy as np
from sklearn.decomposition import DictionaryLearning

from benchmark_utils.metrics import chance_floor, mutual_coherence, recovery_score
from benchmark_utils.simulation import make_problem

problem = make_problem(n_samples=600, n_features=12, n_atoms=16, sparsity=2,
                       kind="coherence", coherence=0.5, snr=30,
                       random_state=0)
learner = DictionaryLearning(n_components=16, alpha=0.05, max_iter=40,
                             random_state=0).fit(problem.X)
print(mutual_coherence(problem.D_true))
print(recovery_score(problem.D_true, learner.components_))
print(chance_floor(problem.D_true))
"""


def test_a_script_outside_the_repository_uses_the_library(tmp_path):
    """What the API reference promises: a script in another folder, with the
    repository on PYTHONPATH, simulates a problem of a chosen coherence and
    scores a dictionary that scikit-learn learned."""
    script = tmp_path / "my_study.py"
    script.write_text(OUTSIDE_SCRIPT)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path,
                          env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    coherence, recovery, floor = map(float, proc.stdout.split())
    assert abs(coherence - 0.5) < 1e-6
    assert floor < recovery <= 1.0


# --- The built site ----------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built HTML site: the build named by DICTREC_DOCS_HTML, else one
    built here by the README's command (warnings are errors)."""
    given = os.environ.get("DICTREC_DOCS_HTML")
    if given:
        html = Path(given).resolve()
        assert (html / "index.html").is_file(), f"no site built in {html}"
        return html
    pytest.importorskip("sphinx")
    pytest.importorskip("sphinx_gallery")
    html = tmp_path_factory.mktemp("site") / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", "docs",
         str(html)], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    return html


@pytest.mark.integration
@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_has_its_page(site, package):
    for name in _public_names(package):
        page = site / "api" / "generated" / \
            f"benchmark_utils.{package}.{name}.html"
        assert page.is_file(), f"no API page for {package}.{name}"
        assert f"benchmark_utils.{package}.{name}" in \
            page.read_text(encoding="utf-8")


@pytest.mark.integration
def test_every_example_ran_and_drew_its_figure(site):
    for path in EXAMPLES:
        page = site / "auto_examples" / f"{path.stem}.html"
        assert page.is_file(), path.name
        figures = list((site / "_images").glob(f"sphx_glr_{path.stem}_*.png"))
        assert figures, f"{path.name} drew no figure"
        assert f"sphx_glr_{path.stem}_001.png" in page.read_text(
            encoding="utf-8")


@pytest.mark.integration
def test_no_page_loads_anything_from_the_network(site):
    offending = [
        str(page.relative_to(site))
        for page in [*site.rglob("*.html"), *site.rglob("*.css")]
        if REMOTE.search(page.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not offending, offending


@pytest.mark.integration
def test_the_site_holds_the_project_pages(site):
    for page in ("findings", "studies", "solvers", "theory", "architecture",
                 "contributing", "api/index", "auto_examples/index"):
        assert (site / f"{page}.html").is_file(), page


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no headless Chromium installed (e.g. apt-get install chromium)")


def _open_offline(page, tmp_path, *what):
    """What Chromium makes of ``page`` with no host name resolvable."""
    proc = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu",
         "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=10000", "--window-size=1280,1600",
         *what, page.as_uri()],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.integration
def test_the_index_renders_offline(site, tmp_path):
    dom = _open_offline(site / "index.html", tmp_path, "--dump-dom")
    assert "<title>Dictionary recovery benchmark" in dom
    # The theme's navigation, drawn by its own scripts, with the gallery and
    # the API reference in it.
    assert 'href="auto_examples/index.html"' in dom
    assert 'href="api/index.html"' in dom
    assert "bd-header" in dom
    shot = Path(os.environ.get("DICTREC_DOCS_SHOTS", tmp_path))
    _open_offline(site / "index.html", tmp_path,
                  f"--screenshot={shot / 'index.png'}")
    assert (shot / "index.png").stat().st_size > 10_000


@pytest.mark.integration
def test_a_gallery_page_renders_offline_with_its_figure(site, tmp_path):
    page = site / "auto_examples" / "plot_score_sklearn.html"
    dom = _open_offline(page, tmp_path, "--dump-dom")
    assert "Score a dictionary learned by scikit-learn" in dom
    assert re.search(r'<img[^>]+src="[^"]*sphx_glr_plot_score_sklearn_001\.png"',
                     dom)
    # The code links its names to their API pages.
    assert "benchmark_utils.metrics.recovery_error_budget.html" in dom
    shot = Path(os.environ.get("DICTREC_DOCS_SHOTS", tmp_path))
    _open_offline(page, tmp_path, f"--screenshot={shot / 'gallery.png'}")
    assert (shot / "gallery.png").stat().st_size > 10_000
