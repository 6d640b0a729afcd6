"""The server's house rules, read from its import statements: layers, no circle, unique names."""

import ast
from collections import defaultdict
from pathlib import Path

import widget_server

PACKAGE = Path(widget_server.__file__).parent
# Lowest first: a module may import its own layer or a lower one, never a higher one.
# Conversions share the outbox and worker with webhooks, so they share its layer.
# The limiter serves the click path and the dashboard's login alike.
LAYERS = [
    {"config", "db", "errors", "metrics", "url_sql"},
    {"models"},
    {"sites"},
    {"webhooks", "conversions"},
    {"clicks", "sessions", "limits", "privacy"},
    {"api", "cli", "dashboard", "health", "scrape"},
    {"__init__"},
]


def modules() -> dict[str, Path]:
    """Every module of widget_server by dotted name; Alembic's scripts are not imported by it."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[0] == "migrations":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(("widget_server", *parts))] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The widget_server modules name imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                # `from widget_server.api import auth` imports the module widget_server.api.auth.
                targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in targets if target in known and target != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def layer(name: str) -> int:
    parts = name.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    [index] = [i for i, names in enumerate(LAYERS) if top in names]
    return index


def test_every_module_and_package_has_a_layer():
    for name in modules():
        layer(name)  # raises when a new top-level module or package is missing from LAYERS


def test_nothing_imports_upwards():
    upward = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
        for name, targets in graph().items()
        for target in targets
        if layer(target) > layer(name)
    ]
    assert upward == []


def test_nothing_imports_in_a_circle():
    edges = graph()
    state: dict[str, str] = {}
    circles = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(edges[name]):
            if state.get(target) == "open":
                circles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_a_package_does_not_import_its_own_parent():
    # A package's __init__ imported by its modules would run them in a half-built package.
    inward = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if name.startswith(target + ".") and target != "widget_server"
    ]
    assert inward == []


def test_no_two_modules_share_a_name():
    by_name = defaultdict(list)
    for name, path in modules().items():
        if path.name != "__init__.py":
            by_name[path.stem].append(name)
    assert {stem: names for stem, names in by_name.items() if len(names) > 1} == {}


def test_the_rules_see_real_imports():
    # Guards the reader above: were it blind, every other test here would pass vacuously.
    edges = graph()
    assert "widget_server.clicks.recording" in edges["widget_server.clicks.link"]
    assert "widget_server.api.auth" in edges["widget_server.api.blueprint"]
    assert "widget_server.webhooks.outbox" in edges["widget_server.webhooks"]
    assert layer("widget_server.api.blueprint") > layer("widget_server.sessions.rows")
