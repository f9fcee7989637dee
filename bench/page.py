"""The generated page of a measuring script: what it prints, kept for its file.

Each script of ``bench/`` prints its tables to the terminal and writes them to
``docs/generated/<script name>.md`` with
:func:`benchmark_utils.results.report.write_generated`: the first line is the
command that regenerates the file (the script's own command line, flags
included), then the provenance (date, commit, machine, BLAS, the fixed
workload's timing, package versions), then the tables.
"""
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmark_utils.results.report import (  # noqa: E402
    GENERATED_DIR,
    markdown_table,
    write_generated,
)


def command_line():
    """The command that ran this process, as typed from the repository root."""
    script = Path(sys.argv[0]).resolve()
    try:
        script = script.relative_to(ROOT)
    except ValueError:
        pass
    return " ".join(["python", str(script), *map(shlex.quote, sys.argv[1:])])


class Page:
    """Lines printed to the terminal and kept for the script's generated file.

    Parameters
    ----------
    script : str or Path
        The script's file (``__file__``); the page is
        ``docs/generated/<its name without .py>.md``.
    title : str
        The page's title.
    variant : str or None
        For a mode of the script that measures something else (such as
        ``--ceilings``): the page is ``<name>_<variant>.md``.
    """

    def __init__(self, script, title, variant=None):
        name = Path(script).stem + (f"_{variant}" if variant else "")
        self.path = GENERATED_DIR / f"{name}.md"
        self.title = title
        self.lines = []

    def print(self, text=""):
        """Print ``text`` and keep it for the page."""
        print(text, flush=True)
        self.lines.append(str(text))

    def table(self, frame, floatfmt="{:.3g}"):
        """Print and keep a pandas frame as a Markdown table."""
        self.print(markdown_table(frame, floatfmt))

    def write(self, speed=None):
        """Write the page; ``speed`` as in ``write_generated``.

        Returns
        -------
        path : Path
        """
        path = write_generated(self.path, command_line(), self.title,
                               "\n".join(self.lines), speed=speed)
        print(f"\nwrote {path.relative_to(ROOT)}", flush=True)
        return path
