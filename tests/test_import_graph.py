"""No import cycles between qabot's modules.

Every `import` counts, wherever it stands: at the top, inside a function, or under
`if TYPE_CHECKING:`. A lazy or type-only import still ties two modules together, and a cycle of
them is a knot a reader has to hold in their head all at once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "adapters", "storage", "bench")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_under(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(root, path)] = path
    return found


def _imported_modules(
    tree: ast.Module, here: str, *, is_package: bool, modules: dict[str, Path]
) -> Iterator[str]:
    """Each of qabot's modules an import names: `from a.b import c` is a.b.c if that is a module,
    else a.b (the package that defines c)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".") if is_package else here.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            for alias in node.names:
                submodule = f"{prefix}.{alias.name}"
                yield submodule if submodule in modules else prefix


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    modules = modules_under(root, packages)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        named = _imported_modules(
            tree, name, is_package=path.name == "__init__.py", modules=modules
        )
        graph[name] = {target for target in named if target in modules and target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
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
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_qabot_has_no_import_cycles() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert len(graph) > 50, "the walk found qabot's modules"
    assert cycles(graph) == []


def test_a_cycle_through_a_type_checking_import_is_found(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "client.py").write_text("from pkg.commands import register\n")
    (tmp_path / "pkg" / "commands.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.client import Client\n"
    )
    assert cycles(import_graph(tmp_path, ("pkg",))) == [["pkg.client", "pkg.commands"]]


def test_a_cycle_through_a_function_level_relative_import_is_found(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "runtime.py").write_text("from . import app\n")
    (tmp_path / "pkg" / "app.py").write_text("def run():\n    from .runtime import start\n")
    assert cycles(import_graph(tmp_path, ("pkg",))) == [["pkg.app", "pkg.runtime"]]
