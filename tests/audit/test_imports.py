"""The audit package's modules import each other without a circle (imports inside functions
count), and the package never imports the tickets app."""

import ast
from pathlib import Path

import ticketui.audit

PACKAGE = Path(ticketui.audit.__file__).parent


def module_name(path: Path) -> str:
    return ".".join(("ticketui", *path.relative_to(PACKAGE.parent).with_suffix("").parts))


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement anywhere in the file names (relative ones resolved)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def audit_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {
        name: {target for target in imported_modules(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    visiting, done = [], set()

    def visit(node: str) -> list[str]:
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return []
        visiting.append(node)
        for target in sorted(graph[node]):
            if found := visit(target):
                return found
        visiting.pop()
        done.add(node)
        return []

    for node in sorted(graph):
        if found := visit(node):
            return found
    return []


def test_the_cycle_finder_finds_a_circle():
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) == []


def test_no_audit_module_imports_another_in_a_circle():
    graph = audit_graph()

    assert "ticketui.audit.chain" in graph["ticketui.audit.models"]
    assert cycle_in(graph) == []
