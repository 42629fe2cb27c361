"""The error tree: the drawing in errors.py's docstring is the real class tree, and it is the only one.

The docstring of :mod:`paradip_kg.errors` draws every exception class of the package, each under
its parent, with its HTTP status. These tests read that drawing and compare it with the classes
(parents by ``__mro__``, statuses by the class attribute or, where the drawing gives two, by
instances), and walk the whole package to find any exception class defined outside errors.py.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from paradip_kg import errors

PACKAGE = Path(errors.__file__).resolve().parent
# One drawn line: the tree's guides, a class name, then optionally "status 400" or "status 401 or 403".
LINE = re.compile(r"^(?P<guides>[ │├└─]*)(?P<name>[A-Z]\w+)\s*(?:status (?P<status>\d+(?: or \d+)*))?")


@dataclass(frozen=True)
class Drawn:
    name: str
    parent: str | None  # None: a root of the drawing
    statuses: tuple[int, ...]  # empty: inherited from the parent


def drawing() -> tuple[list[Drawn], list[str]]:
    """The classes of the drawing (tree order) and the signals listed after it."""
    doc = errors.__doc__ or ""
    tree_part, _, signals_part = doc.partition("Signals that never leave")
    tree: list[Drawn] = []
    stack: list[tuple[int, str]] = []  # (depth, name) of the open ancestors
    for raw in tree_part.splitlines():
        line = raw.strip("\n")
        if not line.startswith("    ") or not line.strip():
            continue
        match = LINE.match(line[4:])
        if not match:
            continue
        guides = match.group("guides")
        depth = len(guides) // 4  # each level of the drawing is four characters wide
        while stack and stack[-1][0] >= depth:
            stack.pop()
        statuses = tuple(int(s) for s in (match.group("status") or "").split(" or ") if s)
        tree.append(Drawn(match.group("name"), stack[-1][1] if stack else None, statuses))
        stack.append((depth, match.group("name")))
    signals = [m.group(1) for m in re.finditer(r"^    ([A-Z]\w+)\s", signals_part, re.MULTILINE)]
    return tree, signals


def test_the_drawing_is_read():
    tree, signals = drawing()
    assert tree[0] == Drawn("ParadipError", None, (500,))
    assert Drawn("RdfSyntaxError", "InputError", ()) in tree
    assert len(tree) >= 20 and signals == ["CellError", "ChangeTooWide"]


def test_every_drawn_class_has_the_drawn_parent():
    tree, signals = drawing()
    for item in tree:
        cls = getattr(errors, item.name)
        assert inspect.isclass(cls) and issubclass(cls, Exception), item.name
        parent = cls.__mro__[1]
        if item.parent is None:
            assert parent is Exception, f"{item.name} is drawn as a root but derives from {parent.__name__}"
        else:
            assert parent.__name__ == item.parent, \
                f"{item.name} is drawn under {item.parent} but derives from {parent.__name__}"
    for name in signals:
        cls = getattr(errors, name)
        assert cls.__mro__[1] is Exception and not issubclass(cls, errors.ParadipError), name


def test_every_class_of_errors_py_is_drawn():
    tree, signals = drawing()
    drawn = {item.name for item in tree} | set(signals)
    defined = {name for name, value in vars(errors).items()
               if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == errors.__name__}
    assert defined == drawn
    assert len(drawn) == len(tree) + len(signals), "a class is drawn twice"


def test_the_real_tree_is_the_drawn_one():
    """With every module of the package loaded, ParadipError's subclasses are the drawn classes."""
    for path in _modules():
        _import(path)

    def subclasses(cls: type) -> set[type]:
        found: set[type] = set()
        for child in cls.__subclasses__():
            found |= {child} | subclasses(child)
        return found

    tree, _ = drawing()
    real = {f"{cls.__module__}.{cls.__qualname__}" for cls in subclasses(errors.ParadipError)}
    assert real == {f"paradip_kg.errors.{item.name}" for item in tree if item.parent is not None}


def test_statuses_are_the_drawn_ones():
    tree, _ = drawing()
    by_name = {item.name: item for item in tree}

    def drawn_statuses(name: str) -> tuple[int, ...]:
        item = by_name[name]
        if item.statuses or item.parent is None:
            return item.statuses
        return drawn_statuses(item.parent)  # not drawn: the parent's

    for item in tree:
        cls = getattr(errors, item.name)
        statuses = drawn_statuses(item.name)
        if len(statuses) == 1:
            assert cls.status == statuses[0], f"{item.name}: status {cls.status}, drawn {statuses[0]}"
        else:  # chosen per instance (AuthenticationFailed: 401 without a token, 403 with a wrong one)
            for status in statuses:
                assert cls(status, "message", "Bearer").status == status, item.name


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")  # __main__ runs the CLI


def _import(path: Path) -> object:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return importlib.import_module(".".join(("paradip_kg", *parts)))


def _exception_names() -> set[str]:
    names = {name for name, value in vars(builtins).items()
             if inspect.isclass(value) and issubclass(value, BaseException)}
    return names | {name for name, value in vars(errors).items()
                    if inspect.isclass(value) and issubclass(value, BaseException)}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_exception_class_outside_errors_py(path: Path):
    if path.name == "errors.py" and path.parent == PACKAGE:
        return
    known = _exception_names()
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    # Classes at any depth whose base names an exception (or looks like one: FooError, BarException).
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                assert name not in known and not re.search(r"(Error|Exception|Warning)$", name), \
                    f"{path.relative_to(PACKAGE)}: class {node.name}({name}) belongs in errors.py"
    # And the top-level classes by what they are (a base imported under another name).
    module = _import(path)
    for name, value in vars(module).items():
        if inspect.isclass(value) and value.__module__ == getattr(module, "__name__", None):
            assert not issubclass(value, BaseException), \
                f"{path.relative_to(PACKAGE)}: class {name} is an exception; it belongs in errors.py"
