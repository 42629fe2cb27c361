"""The package's floor plan, checked: every module of ``src/paradip_kg`` is small, no two
modules import each other (directly or round a loop), and imports go one way, down the layers.

The layers, bottom to top (docs/architecture.md draws the same table, :data:`LAYERS`):

    0  settings · errors · namespaces · i18n · child · lanes · progress   (and the package's own __init__)
    1  rdf
    2  sparql · shacl · inference · store · importer
    3  backends · writes · publish · build
    4  web · cli · serving · __main__

A module may import from its own layer or a lower one, never from a higher one; the modules of
one package (or of one layer) may import each other, as long as no cycle closes. The import
graph is read from the source (the AST of every module), with every kind of import counted:
at module level or inside a function (a lazy import that closes a loop is still a loop), under
``if TYPE_CHECKING:`` too, relative or absolute, ``import a.b`` and ``from a import b`` (a
submodule, or a name of the package), and the string imports of ``importlib.import_module``,
``werkzeug``'s ``import_string`` and ``"module:attribute"`` references.

Each check is also run on a small package written to ``tmp_path`` with the fault planted, so a
check that stops finding what it should fails too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

from support.paths import PACKAGE as PACKAGE_DIR
from support.paths import ROOT

PACKAGE = "paradip_kg"
MAX_LINES = 400

# Bottom → top. Each entry names the top-level modules and packages of one layer; "" is the
# package's own __init__ (its version and folder), which every module may read.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("", "settings", "errors", "namespaces", "i18n", "child", "lanes", "progress", "collector"),
    ("rdf",),
    ("sparql", "shacl", "inference", "store", "importer"),
    ("backends", "writes", "publish", "harvest", "build"),
    ("web", "cli", "serving", "__main__"),
)

# Calls whose first argument, a constant string, names a module that is imported at run time.
STRING_IMPORTERS = {"import_module", "import_string", "__import__"}
MODULE_ATTRIBUTE = re.compile(r"^([A-Za-z_]\w*(?:\.\w+)*):\w+")  # "package.module:attribute"


# --- Reading the package -------------------------------------------------------------------------


def modules_of(folder: Path, package: str) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` of the package in ``folder``."""
    out: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join((package, *parts))] = path
    return out


def resolve(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module ``name`` refers to: itself, or the nearest package above it that exists."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterable[str]:
    """Every dotted name ``module`` imports, relative imports made absolute; for ``from a import
    b`` both ``a.b`` (if b is a submodule) and ``a`` (if b is a name of a)."""
    here = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(here.split(".")[:len(here.split(".")) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                yield f"{source}.{alias.name}" if alias.name != "*" else source
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in STRING_IMPORTERS and isinstance(node.args[0].value, str):
                yield node.args[0].value.partition(":")[0]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = MODULE_ATTRIBUTE.match(node.value)
            if match:
                yield match.group(1)


def import_graph(folder: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of the package it imports (itself left out)."""
    modules = modules_of(folder, package)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for name in imported_names(tree, module, path.name == "__init__.py"):
            if name == package or name.startswith(package + "."):
                target = resolve(name, modules)
                if target is not None and target != module:
                    targets.add(target)
        graph[module] = targets
    return graph


# --- The checks ----------------------------------------------------------------------------------


def long_modules(folder: Path, package: str, limit: int = MAX_LINES) -> list[str]:
    """``"module: N lines"`` for each module over ``limit`` lines, longest first."""
    lengths = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules_of(folder, package).items()}
    return [f"{m}: {n} lines" for m, n in sorted(lengths.items(), key=lambda item: -item[1]) if n > limit]


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle path (first module repeated at the end) for each strongly connected group of
    modules (Tarjan's algorithm), in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # recursive: the package's import chains are short
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted((cycle_path(graph, group) for group in groups), key=lambda path: path[0])


def cycle_path(graph: Mapping[str, set[str]], group: set[str]) -> list[str]:
    """The shortest loop from the group's first module back to itself, within the group."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    raise AssertionError(f"no loop in the strongly connected group {sorted(group)}")


def layer_of(module: str, package: str, layers: Sequence[Sequence[str]]) -> int | None:
    top = module[len(package) + 1:].split(".")[0] if module != package else ""
    return next((i for i, names in enumerate(layers) if top in names), None)


def unplaced(graph: Mapping[str, set[str]], package: str, layers: Sequence[Sequence[str]]) -> list[str]:
    """The modules whose top-level name is in no layer."""
    return sorted(m for m in graph if layer_of(m, package, layers) is None)


def upward_imports(graph: Mapping[str, set[str]], package: str, layers: Sequence[Sequence[str]]) -> list[str]:
    """``"a (layer i) imports b (layer j)"`` for each import from a higher layer."""
    out = []
    for module, targets in sorted(graph.items()):
        here = layer_of(module, package, layers)
        for target in sorted(targets):
            there = layer_of(target, package, layers)
            if here is not None and there is not None and there > here:
                out.append(f"{module} (layer {here}) imports {target} (layer {there})")
    return out


# --- paradip_kg ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(PACKAGE_DIR, PACKAGE)


def test_no_module_is_over_400_lines() -> None:
    too_long = long_modules(PACKAGE_DIR, PACKAGE)
    assert not too_long, f"modules over {MAX_LINES} lines (split them by their sections):\n" + "\n".join(too_long)


def test_no_import_cycle(graph: dict[str, set[str]]) -> None:
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" → ".join(path) for path in found)


def test_every_module_is_in_a_layer(graph: dict[str, set[str]]) -> None:
    missing = unplaced(graph, PACKAGE, LAYERS)
    assert not missing, f"modules in no layer (add them to LAYERS and docs/architecture.md): {missing}"


def test_imports_go_down_the_layers(graph: dict[str, set[str]]) -> None:
    wrong = upward_imports(graph, PACKAGE, LAYERS)
    assert not wrong, "imports against the layers (bottom → top: " + " → ".join(
        "{" + ", ".join(n or "__init__" for n in names) + "}" for names in LAYERS) + "):\n" + "\n".join(wrong)


def test_the_graph_sees_the_package() -> None:
    """The walk finds the modules and the imports it should (a check that reads nothing passes)."""
    found = import_graph(PACKAGE_DIR, PACKAGE)
    assert len(found) > 30 and f"{PACKAGE}.settings" in found and f"{PACKAGE}.web" in found
    assert sum(len(targets) for targets in found.values()) > 100


# --- The checks find what they should: a small package with the faults planted ---------------------

SMALL_LAYERS = (("", "base"), ("middle",), ("top",))


def write_package(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (path in the package → source) as the package ``pkg`` under ``root``."""
    folder = root / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_a_long_module_is_named_with_its_length(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {"base.py": "x = 1\n" * 401, "middle/__init__.py": "",
                                      "middle/fine.py": "x = 1\n" * 400})
    assert long_modules(folder, "pkg") == ["pkg.base: 401 lines"]


def test_every_import_form_is_resolved(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {
        "base.py": "VALUE = 1\n",
        "middle/__init__.py": "NAME = 1\n",
        "middle/a.py": "from . import b\nfrom .b import f\nfrom .. import base\nfrom ..base import VALUE\n",
        "middle/b.py": "import pkg.base\nimport pkg.middle.c as c\nfrom pkg.middle import NAME\n",
        "middle/c.py": "def later():\n    from pkg import top\n    return top\n",
        "middle/d.py": "import importlib\nMOD = importlib.import_module('pkg.top.e')\nREF = 'pkg.base:VALUE'\n",
        "top/__init__.py": "",
        "top/e.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.middle.a import f\n",
        "top/f.py": "import os\nfrom os import path\nfrom pkg.middle.d import *\n",
    })
    assert import_graph(folder, "pkg") == {
        "pkg": set(), "pkg.base": set(), "pkg.middle": set(),
        "pkg.middle.a": {"pkg.middle.b", "pkg.base"},
        "pkg.middle.b": {"pkg.base", "pkg.middle.c", "pkg.middle"},
        "pkg.middle.c": {"pkg.top"},
        "pkg.middle.d": {"pkg.top.e", "pkg.base"},
        "pkg.top": set(), "pkg.top.e": {"pkg.middle.a"}, "pkg.top.f": {"pkg.middle.d"},
    }


def test_a_cycle_closed_by_a_function_level_import_is_found(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {
        "base.py": "",
        "middle/__init__.py": "",
        "middle/jobs.py": "from pkg.middle.results import Reply\nclass Job: ...\n",
        "middle/results.py": "from pkg.middle.other import x\nclass Reply: ...\n",
        "middle/other.py": "x = 1\ndef run():\n    from pkg.middle.jobs import Job\n    return Job\n",
        "top.py": "from pkg.middle import jobs\n",
    })
    assert cycles(import_graph(folder, "pkg")) == [
        ["pkg.middle.jobs", "pkg.middle.results", "pkg.middle.other", "pkg.middle.jobs"]]


def test_a_cycle_through_a_string_import_is_found(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {"top.py": "from pkg.web import ready\n",
                                      "web/__init__.py": "BLUEPRINTS = ['pkg.top:bp']\nready = 1\n"})
    assert cycles(import_graph(folder, "pkg")) == [["pkg.top", "pkg.web", "pkg.top"]]


def test_no_cycle_in_a_clean_package(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {"base.py": "", "middle.py": "from pkg import base\n",
                                      "top.py": "from pkg import base, middle\n"})
    assert cycles(import_graph(folder, "pkg")) == []


def test_an_upward_import_and_a_module_in_no_layer_are_found(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {
        "base.py": "def late():\n    from pkg.middle import thing\n    return thing\n",
        "middle/__init__.py": "from pkg import base\nthing = 1\n",
        "middle/inner.py": "from pkg.middle import thing\nfrom pkg.top import page\n",
        "top.py": "from pkg.middle.inner import page\npage = 1\n",
        "stray.py": "from pkg import top\n",
    })
    graph = import_graph(folder, "pkg")
    assert upward_imports(graph, "pkg", SMALL_LAYERS) == [
        "pkg.base (layer 0) imports pkg.middle (layer 1)",
        "pkg.middle.inner (layer 1) imports pkg.top (layer 2)",
    ]
    assert unplaced(graph, "pkg", SMALL_LAYERS) == ["pkg.stray"]


def test_architecture_doc_draws_the_same_layers() -> None:
    """docs/architecture.md's ```layers block is this test's LAYERS, and names every package."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"```layers\n(.*?)```", doc, re.S)
    assert block, "docs/architecture.md has no ```layers block"
    drawn = []
    for line in block.group(1).strip().splitlines():
        number, _, names = line.strip().partition(" ")
        drawn.append((int(number), tuple(n.strip() for n in names.split("·"))))
    assert [n for n, _ in drawn] == list(range(len(LAYERS)))
    assert [names for _, names in drawn] == [tuple(n for n in layer if n) for layer in LAYERS]
    packages = sorted(p.name for p in PACKAGE_DIR.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    missing = [name for name in packages if f"`{name}/`" not in doc]
    assert not missing, f"packages docs/architecture.md does not describe: {missing}"


def test_the_build_hashes_every_module_of_the_package() -> None:
    """A change to a module in a subpackage must trigger a rebuild, as one at the top does."""
    from paradip_kg.build import code_files

    hashed = set(code_files())
    modules = set(PACKAGE_DIR.rglob("*.py"))
    assert hashed == modules
    assert any(len(p.relative_to(PACKAGE_DIR).parts) > 2 for p in hashed)  # e.g. publish/docs/ontology.py
