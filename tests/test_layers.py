"""The package's layers: every import (module level or inside a function) points down the list in
docs/architecture.md, and no two modules import each other, directly or through others."""

import ast
from pathlib import Path

import wearclip

PACKAGE = Path(wearclip.__file__).parent

# Lowest first; a module may import its own layer and those before it.
LAYERS = [
    ("errors", "io", "progress", "runtime", "version"),
    ("config",),
    ("data",),
    ("text",),
    ("models",),
    ("objectives", "metrics"),
    ("train",),
    ("retrieval",),
    ("study",),
    ("app",),
    ("cli",),
]
# The top-level package and the ``wearclip.datasets`` alias re-export lazily for users: no layer.
ENTRY_POINTS = {"wearclip", "wearclip.datasets", "wearclip.__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    top = module.split(".")[1]
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module}: its top-level name {top!r} is in no layer; add it to LAYERS")


def imports(path: Path, modules: set[str]) -> set[str]:
    """wearclip modules imported by a file (a name imported from a package counts as its submodule)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("wearclip"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("wearclip"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in modules else target)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports(path, set(files)) - {name} for name, path in files.items()}


def test_every_import_points_down_the_layers():
    wrong = []
    for source, targets in graph().items():
        if source in ENTRY_POINTS:
            continue
        for target in targets:
            if target in ENTRY_POINTS:
                wrong.append(f"{source} imports the entry point {target}")
            elif layer(target) > layer(source):
                wrong.append(f"{source} (layer {layer(source)}) imports {target} (layer {layer(target)})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles():
    edges = graph()
    for package in [m for m in edges if (PACKAGE.parent / m.replace(".", "/") / "__init__.py").exists()]:
        # a package's __init__ re-exports its submodules: importing the package is not a cycle through them
        edges[package] = {t for t in edges[package] if not t.startswith(package + ".")}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [node, nxt]) if nxt in stack else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, stack + [node])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert not cycles, "\n".join(cycles)


def test_public_names_resolve():
    for name in wearclip.__all__:
        assert getattr(wearclip, name) is not None, name
