"""The HTML dashboard written by a run draws its plots without network access.

A real benchopt run on a temporary copy writes the page; a headless Chromium
(skipped when none is installed) opens it with every host name unresolvable and
must draw one curve per solver, with its axis titles. The same page with
benchopt's CDN script tag put back draws nothing under the same isolation:
the check can fail.
"""
import re
import shutil
import subprocess

import pytest
from plotly.offline import get_plotlyjs_version

from benchmark_utils.runtime.dashboard import (
    BEGIN_MARK,
    CDN_PLOTLY,
    END_MARK,
    inline_plotly,
)
from tests.benchopt_runs import (
    TINY_DATASET,
    copy_benchmark,
    run_benchopt,
    solver_args,
)

SOLVERS = ["mod", "spams"]
BROWSERS = ("chromium", "chromium-browser", "google-chrome",
            "google-chrome-stable")
CDN_TAG = '<script src="https://cdn.plot.ly/plotly-2.12.1.min.js"></script>'


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    bench = copy_benchmark(tmp_path_factory.mktemp("dashboard") / "bench")
    args = solver_args(SOLVERS)
    proc, text = run_benchopt(bench, *args, "-d", TINY_DATASET, "-n", "3",
                              "--timeout", "30", "--output", "dash")
    assert proc.returncode == 0, text[-3000:]
    pages = list((bench / "outputs").glob("*_dash.html"))
    assert len(pages) == 1, text[-3000:]
    return pages[0]


def _browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no headless Chromium installed (e.g. apt-get install chromium)")


def render_offline(html_path, tmp_path):
    """DOM of the page after load, with no host name resolvable."""
    proc = subprocess.run(
        [_browser(), "--headless", "--no-sandbox", "--disable-gpu",
         "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=10000", "--window-size=1400,900",
         "--dump-dom", html_path.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _n_traces(dom):
    return len(re.findall(r'class="trace scatter', dom))


@pytest.mark.integration
def test_page_carries_plotly_inline(page):
    html = page.read_text(encoding="utf-8")
    assert not CDN_PLOTLY.search(html)
    assert html.count(BEGIN_MARK.format(version=get_plotlyjs_version())) == 1
    assert len(html) > 3_000_000  # the bundle itself


def test_inline_plotly_refuses_a_page_without_the_cdn_tag():
    with pytest.raises(ValueError, match="no Plotly CDN"):
        inline_plotly("<html><body></body></html>")


@pytest.mark.integration
def test_page_draws_its_curves_offline(page, tmp_path):
    dom = render_offline(page, tmp_path)
    # The page first draws its first chart (the score curve, recovery
    # against time): one curve per solver and the problem's three recovery
    # ceilings (oracle, Lasso, OMP) as flat lines, with the axis and figure
    # titles; then it opens the first view of config.yml, the study figure,
    # an image drawn by matplotlib and embedded in the page.
    assert _n_traces(dom) == len(SOLVERS) + 3
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/]{1000}', dom)
    assert re.search(r'class="view[^"]*active[^"]*">Study figure<', dom)
    assert re.search(r'<path class="js-line" d="M[^"]+L', dom)
    assert 'class="xtitle"' in dom and 'class="ytitle"' in dom
    assert 'class="gtitle"' in dom


@pytest.mark.integration
def test_cdn_page_draws_nothing_under_the_same_isolation(page, tmp_path):
    html = page.read_text(encoding="utf-8")
    start = html.index(BEGIN_MARK.format(version=get_plotlyjs_version()))
    end = html.index(END_MARK) + len(END_MARK)
    cdn_page = tmp_path / "cdn.html"
    cdn_page.write_text(html[:start] + CDN_TAG + html[end:], encoding="utf-8")
    assert _n_traces(render_offline(cdn_page, tmp_path)) == 0


def test_trace_style_keeps_markers_plotly_draws():
    # benchopt numbers every label of a page and passes the number as the
    # Plotly symbol; past 52 Plotly stopped drawing the whole page.
    from benchopt import BasePlot

    from benchmark_utils.runtime.dashboard import N_MARKER_SYMBOLS, trace_style

    class Plot(BasePlot):
        name = "check"
        type = "scatter"
        options = {}

        def plot(self, df):
            return []

        def get_metadata(self, df):
            return {}

    plot = Plot()
    markers = [trace_style(plot, f"label {i}")["marker"] for i in range(120)]
    assert max(markers) == N_MARKER_SYMBOLS - 1 < 53
    # benchopt numbers labels across every plot of the session: 50 new
    # labels take every symbol once, wherever the numbering stood.
    assert sorted(markers[:N_MARKER_SYMBOLS]) == list(range(N_MARKER_SYMBOLS))
    # The same label keeps its style.
    assert trace_style(plot, "label 7") == trace_style(plot, "label 7")
