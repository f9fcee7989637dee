"""A benchopt dashboard that draws its plots without network access.

benchopt 1.10 renders each result page from a template that loads Plotly from
``https://cdn.plot.ly``; opened offline (a cluster node, a laptop on a train) the
page shows its menus and no curve. benchopt has no setting for it, so
:func:`use_offline_plotly` wraps benchopt's page renderer
(``benchopt.plotting.generate_html.render_all_results``) to replace that script
tag with the Plotly bundle of the installed ``plotly`` Python package, inline.
The objective module calls it, so that every ``benchopt run`` and
``benchopt plot`` of this benchmark writes self-contained pages (about 5 MB
larger each).

What still comes from the network, and is not needed to draw the curves: the
web fonts, the table view's Grid.js, and the animation of the page's title.
"""
import re

from benchopt.plotting import generate_html
from plotly.offline import get_plotlyjs, get_plotlyjs_version

CDN_PLOTLY = re.compile(
    r'<script src="https://cdn\.plot\.ly/plotly-[^"]*\.js"></script>'
)

# benchopt's page was written for Plotly.js 2, where an axis or figure title
# may be a plain string; Plotly.js 3 and later accept only {text: ...}. The
# shim converts string titles before each call that draws a figure.
_TITLE_SHIM = """
(function () {
  function fix(layout) {
    if (!layout || typeof layout !== "object") { return layout; }
    Object.keys(layout).forEach(function (key) {
      var value = layout[key];
      if (key === "title" && typeof value === "string") {
        layout[key] = {text: value};
      } else if (/^[xy]axis[0-9]*$/.test(key) && value
                 && typeof value.title === "string") {
        value.title = {text: value.title};
      }
    });
    return layout;
  }
  ["newPlot", "react", "relayout"].forEach(function (name) {
    var original = Plotly[name];
    Plotly[name] = function (div, data, layout) {
      var args = Array.prototype.slice.call(arguments);
      if (name === "relayout") { args[1] = fix(data); }
      else { args[2] = fix(layout); }
      return original.apply(this, args);
    };
  });
})();
"""


# Comments around the inlined scripts, so that a page tells what it carries.
BEGIN_MARK = ("<!-- Plotly.js {version}, inlined by "
              "benchmark_utils.runtime.dashboard -->")
END_MARK = "<!-- end of inlined Plotly.js -->"


def plotly_script():
    """``<script>`` elements holding the installed Plotly.js bundle, inline.

    The bundle, then the title shim, between :data:`BEGIN_MARK` and
    :data:`END_MARK`.
    """
    bundle = get_plotlyjs().replace("</script", "<\\/script")
    begin = BEGIN_MARK.format(version=get_plotlyjs_version())
    return (f"{begin}\n<script>{bundle}</script>\n"
            f"<script>{_TITLE_SHIM}</script>\n{END_MARK}")


def inline_plotly(html):
    """Replace the page's Plotly CDN script tag by the inline bundle.

    Raises
    ------
    ValueError
        If the page has no such tag (a benchopt whose template changed): a
        page that silently kept its CDN dependency would draw nothing offline.
    """
    script = plotly_script()
    html, n_tags = CDN_PLOTLY.subn(lambda match: script, html, count=1)
    if n_tags != 1:
        raise ValueError(
            "benchopt's result page has no Plotly CDN <script> tag to inline; "
            "benchmark_utils.runtime.dashboard does not know this benchopt version's "
            "template."
        )
    return html


def use_offline_plotly():
    """Make benchopt write result pages with Plotly inline (idempotent)."""
    render = generate_html.render_all_results
    if getattr(render, "inlines_plotly", False):
        return

    def render_all_results(*args, **kwargs):
        return [inline_plotly(html) for html in render(*args, **kwargs)]

    render_all_results.inlines_plotly = True
    render_all_results.__doc__ = render.__doc__
    generate_html.render_all_results = render_all_results


# Plotly draws the marker symbols 0 to 52 (and their open and dotted
# variants); benchopt's ``BasePlot.get_style`` numbers the labels of a plot
# in the order it meets them, across every selection of the page, and passes
# the number as the symbol. A page with more labels than symbols stopped
# drawing ("drawing.symbolFuncs[base] is not a function"): in a study of 18
# problems the ceiling lines of each problem are labels of their own.
N_MARKER_SYMBOLS = 50


def trace_style(plot, label):
    """``plot.get_style(label)`` with its marker symbol wrapped to one Plotly
    draws (colours cycle as benchopt cycles them)."""
    style = dict(plot.get_style(label))
    style["marker"] = int(style["marker"]) % N_MARKER_SYMBOLS
    return style
