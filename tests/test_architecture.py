"""The code's rooms (issue 12): imports point one way, no cycles, no file over 400 lines, and the
README's map names every package under callcenter/.

The import graph is read from the source (every `import`, including those inside functions), so an
import moved into a function to dodge a cycle still counts. Only `if TYPE_CHECKING:` blocks are left out:
they never run (the models' two-way relationships name each other's classes for the type checker).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("app", "callcenter", "ivr", "sandbox", "models", "config")
CHANNELS = ("ivr", "sandbox")  # how calls reach the desk (later: e-mail); the domain never imports them
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {"app": ROOT / "app.py"}
    for top in OURS[1:]:
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """Our modules that `name` imports (a `from package import submodule` counts as the submodule)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):
        if isinstance(block, ast.If) and ast.unparse(block.test).endswith("TYPE_CHECKING"):
            block.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: set(_imported(name, path, modules)) for name, path in modules.items()}


def _room(module: str) -> str:
    """callcenter.<package> for the domain's rooms, the top-level name otherwise."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "callcenter" and len(parts) > 1 else parts[0]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_graph()) == []


def test_no_import_cycle_between_rooms() -> None:
    rooms: dict[str, set[str]] = {}
    for module, imports in _graph().items():
        rooms.setdefault(_room(module), set()).update(_room(i) for i in imports if _room(i) != _room(module))
    assert _cycles(rooms) == []


def test_the_domain_never_imports_a_channel() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, imports in _graph().items()
        if module.startswith(("callcenter", "models", "config"))
        for target in imports
        if target.split(".")[0] in CHANNELS
    ]
    assert wrong == []


def test_models_import_only_models_and_config() -> None:
    wrong = [
        f"{module} imports {target}"
        for module, imports in _graph().items()
        if module.startswith("models")
        for target in imports
        if target.split(".")[0] not in ("models", "config")
    ]
    assert wrong == []


def test_no_file_over_400_lines() -> None:
    skip = {".venv", "node_modules", ".git"}
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for path in ROOT.rglob("*.py")
        if not skip & set(path.relative_to(ROOT).parts)
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert long == []


def test_the_readme_map_names_every_room() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    mapped = set(re.findall(r"^- `callcenter/(\w+)/`", section, flags=re.MULTILINE))
    rooms = {p.name for p in (ROOT / "callcenter").iterdir() if (p / "__init__.py").exists()}
    assert mapped == rooms
