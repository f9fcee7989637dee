"""The layout of docs/architecture.md holds: packages by concept on the floors
the page draws, imports that run down and never in a circle, benchopt
confined to ``runtime`` and ``results``, the mathematics importable without
benchopt, no module of the library over 400 lines."""
import ast
import re
import subprocess
import sys

import pytest

from tests.benchopt_runs import ROOT

LIBRARY = ROOT / "benchmark_utils"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
PACKAGES = ["simulation", "metrics", "coding", "learning", "neural", "runtime",
            "results"]
SHARED = ["validation", "supports", "threads", "schema"]
# The packages allowed to import benchopt.
BENCHOPT_PACKAGES = {"runtime", "results"}
# benchopt's components, above the library.
COMPONENTS = ["objective.py", "datasets/", "solvers/", "plots/"]


def imported_modules(path):
    """Names of the modules a file imports, anywhere in it (a name imported
    from a package counts as its module when it is one)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                yield name if _module_path(name) else node.module


def _module_path(name):
    """The file of a module of the library, or None."""
    if not name.startswith("benchmark_utils"):
        return None
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def library_part(name):
    """``simulation`` for ``benchmark_utils.simulation.problems``."""
    parts = name.split(".")
    return parts[1] if parts[0] == "benchmark_utils" and len(parts) > 1 else None


def library_files():
    return sorted(p for p in LIBRARY.rglob("*.py")
                  if "__pycache__" not in p.parts)


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def drawn_floors():
    """``{part: floor}`` as the ``floor N: a, b`` lines of architecture.md
    draw them (``a/`` a package, ``a`` a shared module)."""
    floors = {}
    for number, names in re.findall(r"^floor (\d+): (.+)$",
                                    ARCHITECTURE.read_text(), re.MULTILINE):
        for name in names.split(","):
            floors[name.strip().rstrip("/")] = int(number)
    return floors


def test_the_page_draws_every_part_of_the_library_and_the_components():
    floors = drawn_floors()
    found = sorted(p.name for p in LIBRARY.iterdir()
                   if p.is_dir() and (p / "__init__.py").exists())
    assert found == sorted(PACKAGES)
    shared = sorted(p.stem for p in LIBRARY.glob("*.py")
                    if p.stem != "__init__")
    assert shared == sorted(SHARED)
    for part in PACKAGES + SHARED + [c.rstrip("/") for c in COMPONENTS]:
        assert part in floors, f"docs/architecture.md draws no floor of {part}"
    for package in PACKAGES:
        doc = ast.get_docstring(ast.parse(
            (LIBRARY / package / "__init__.py").read_text()))
        assert doc and len(doc) > 100, package


@pytest.mark.parametrize("path", library_files(),
                         ids=lambda p: str(p.relative_to(LIBRARY)))
def test_imports_run_down_the_floors(path):
    # A module imports from the floors below its own; the shared modules of
    # the ground floor may import one another (without a circle, below).
    floors = drawn_floors()
    own = library_part(module_name(path))
    if own is None:  # benchmark_utils/__init__.py: a docstring
        assert not [m for m in imported_modules(path) if library_part(m)]
        return
    for name in imported_modules(path):
        part = library_part(name)
        if part is None or part == own:
            continue
        assert floors[part] < floors[own] or floors[own] == 1 == floors[part], (
            f"{path.relative_to(ROOT)} (floor {floors[own]}) imports {name} "
            f"(floor {floors[part]}): docs/architecture.md has imports run down")


def _import_graph():
    graph = {}
    for path in library_files():
        name = module_name(path)
        graph[name] = {m for m in imported_modules(path)
                       if _module_path(m) and m != name}
    return graph


def test_no_module_imports_itself_back_through_others():
    graph = _import_graph()
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                circle = stack[stack.index(target):] + [target]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)


@pytest.mark.parametrize("component", ["datasets", "solvers"])
def test_datasets_and_solvers_do_not_import_the_runtime(component):
    for path in sorted((ROOT / component).glob("*.py")):
        parts = {library_part(m) for m in imported_modules(path)}
        assert not parts & {"runtime", "results"}, (
            f"{path.relative_to(ROOT)} imports {parts & {'runtime', 'results'}}")


@pytest.mark.parametrize("path", library_files(),
                         ids=lambda p: str(p.relative_to(LIBRARY)))
def test_benchopt_is_imported_only_by_runtime_and_results(path):
    package = path.relative_to(LIBRARY).parts[0]
    benchopt = [m for m in imported_modules(path)
                if m == "benchopt" or m.startswith("benchopt.")]
    if package in BENCHOPT_PACKAGES:
        return
    assert not benchopt, f"{path.name} imports {benchopt}"


@pytest.mark.parametrize("path", library_files(),
                         ids=lambda p: str(p.relative_to(LIBRARY)))
def test_no_module_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= 400


def test_the_mathematics_imports_without_benchopt():
    # A fresh interpreter imports every package but runtime and results, and
    # the shared modules: benchopt is never loaded.
    code = (
        "import sys\n"
        "import benchmark_utils.simulation, benchmark_utils.metrics\n"
        "import benchmark_utils.coding, benchmark_utils.learning\n"
        "import benchmark_utils.neural, benchmark_utils.threads\n"
        "import benchmark_utils.schema, benchmark_utils.validation\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == "
        "'benchopt')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_objective_and_solvers_hold_no_infrastructure():
    # Thread policy, watchdog, provenance, cache key and dashboard come from
    # runtime.objective; no solver or objective wires them itself (a solver
    # may read the policy's count, as SPAMS does for its own threads).
    infrastructure = {"benchmark_utils.runtime.watchdog",
                      "benchmark_utils.runtime.provenance",
                      "benchmark_utils.runtime.cache_key",
                      "benchmark_utils.runtime.dashboard", "threadpoolctl"}
    files = [ROOT / "objective.py", *sorted((ROOT / "solvers").glob("*.py"))]
    for path in files:
        used = infrastructure & set(imported_modules(path))
        assert not used, (path.name, used)
