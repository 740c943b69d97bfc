"""The layout keeps its promises (docs/architecture.md): every module is on the module map,
none grows past ~400 lines unless the map says why, and no two modules import each other,
directly or round a loop."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "sqldrills"
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()
MODULES = sorted(path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*.py"))
MAX_LINES = 400


def test_every_module_is_on_the_map_and_every_entry_exists() -> None:
    listed = set(re.findall(r"^\| `(sqldrills/[\w/]+\.py)` \|", ARCHITECTURE, re.MULTILINE))
    assert sorted(set(MODULES) - listed) == [], "add a line to docs/architecture.md §5"
    assert sorted(listed - set(MODULES)) == [], "docs/architecture.md §5 lists a module that is gone"


@pytest.mark.parametrize("module", MODULES)
def test_no_module_is_too_long_without_a_reason(module: str) -> None:
    lines = len((ROOT / module).read_text().splitlines())
    if lines > MAX_LINES:
        short = module.removeprefix("sqldrills/")
        assert re.search(rf"over {MAX_LINES} lines.*`{re.escape(short)}`", ARCHITECTURE, re.DOTALL), (
            f"{module} has {lines} lines: split it, or say in docs/architecture.md why one job needs them")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every sqldrills module ``path`` imports, at the top or inside a function; imports made
    for type checking only do not run and are left out."""
    tree = ast.parse(path.read_text())
    skipped = {id(node) for guard in ast.walk(tree) if isinstance(guard, ast.If)
               and "TYPE_CHECKING" in ast.unparse(guard.test) for node in ast.walk(guard)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqldrills"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("sqldrills"))
    return found


def test_no_import_cycles() -> None:
    graph = {module_name(ROOT / m): set() for m in MODULES}
    for module in MODULES:
        name = module_name(ROOT / module)
        graph[name] = {other for other in imports(ROOT / module) if other in graph and other != name
                       and not name.startswith(other + ".")}  # a package's own __init__ is not a cycle
    cycles = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        for other in sorted(graph[name]):
            if other in path:
                cycles.append(path[path.index(other):] + [other])
            elif other not in done:
                visit(other, [*path, other])
        done.add(name)

    for name in sorted(graph):
        if name not in done:
            visit(name, [name])
    assert cycles == [], " ; ".join(" -> ".join(cycle) for cycle in cycles)
