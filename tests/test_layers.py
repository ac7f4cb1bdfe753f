"""The package's layers: imports point one way, from the commands down to core, and never in a circle.

Read from the code's syntax tree, function-level imports included, so a late
import cannot hide a cycle. The layers, lowest first:

    core        hashing, files, paths, memory, diagnostics: used by everything, uses nothing of ours
    simulation  the JAX model: pure, config in, arrays out
    content     load -> validate -> link, addresses, markup: the program as data
    render | exports | figures   peers: each turns the program into files; none imports another
    build       orchestration, caches, page keys, publishing, search
    commands    serve, init/new, import, import-bibtex, schema
    cli         the entry point
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

#: Which layers each layer may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "simulation": set(),
    "content": {"core", "simulation"},
    "render": {"core", "content"},
    "exports": {"core", "content"},
    "figures": {"core", "content", "simulation"},
    "build": {"core", "content", "render", "exports", "figures"},
    "commands": {"core", "content", "render", "exports", "figures", "build", "simulation"},
    "cli": {"core", "content", "build", "commands"},
    "version": set(),
}
for _layer in ALLOWED:
    ALLOWED[_layer].add("version")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """The folder a module is in; ``generator`` itself (its version number) is below everything."""
    parts = module.split(".")
    if len(parts) == 1:
        return "version"
    return "cli" if parts[1] == "__main__" else parts[1]


def imports_of(path: Path) -> set[str]:
    """Every generator module ``path`` imports, at any depth of its code."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "generator")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "generator":
                continue
            for alias in node.names:  # `from generator.content import markup` imports a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
    return found


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {module: imports_of(path) for module, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_from_its_own_layer_or_the_ones_below(module: str) -> None:
    layer = layer_of(module)
    wrong = sorted(target for target in GRAPH[module]
                   if layer_of(target) != layer and layer_of(target) not in ALLOWED[layer])
    assert not wrong, f"{module} ({layer}) imports {wrong}: {layer} may use only {sorted(ALLOWED[layer])}"


def test_no_module_imports_itself_back_through_others() -> None:
    """No cycle among modules, counting function-level imports (a package's __init__ may gather its modules)."""
    def edges(module: str) -> set[str]:
        return {target for target in GRAPH[module] if target in GRAPH and target != module
                and not module.startswith(target + ".")}  # a module importing its own package's __init__

    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(edges(module)):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_longer_than_500_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= 500, f"{module} has {lines} lines: split it by concern"
