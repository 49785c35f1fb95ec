"""The layers of docs/architecture.md: no module imports a layer above its own."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[2] / "portal"

# Lowest first. A module belongs to the first layer with a matching name or package.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("domain", ("portal.domain",)),
    (
        "data",
        (
            "portal.config",
            "portal.extensions",
            "portal.database",
            "portal.i18n",
            "portal.logs",
            "portal.securitylog",
            "portal.models",
            "portal.labels",
            "portal.audit",
            "portal.photos",
            "portal.references",
            "portal.settings",
            "portal.tallies",
            "portal.persons",
            "portal.sms",
        ),
    ),
    ("queries", ("portal.queries",)),
    ("use cases", ("portal.services", "portal.reports")),
    (
        "entry points",
        (
            "portal.web",
            "portal.public",
            "portal.backoffice",
            "portal.api",
            "portal.cli",
            "portal.installation",
            "portal.deploycheck",
            "portal.backup",
            "portal.demo",
        ),
    ),
    ("wiring", ("portal.command", "portal")),
]
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}
FRAMEWORKS = ("flask", "flask_", "werkzeug", "jinja2", "wtforms", "sqlalchemy", "markupsafe")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    for name, prefixes in LAYERS:
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                return name
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and the docs")


def _imports(path: Path) -> list[str]:
    """Every module path imports, at the top or inside a function, resolved to full names."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import services` imports portal.services, not portal.
            names = [f"{target}.{alias.name}" for alias in node.names]
            found.extend(name if _is_module(name) else target for name in names)
    return found


def _is_module(name: str) -> bool:
    if not name.startswith("portal"):
        return False
    path = PORTAL.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


MODULES = sorted(PORTAL.rglob("*.py"))


def test_every_module_belongs_to_a_layer():
    for path in MODULES:
        _layer(_module_name(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_no_module_imports_a_layer_above_its_own(path):
    module = _module_name(path)
    own = RANK[_layer(module)]

    upward = [
        name for name in _imports(path) if name.startswith("portal") and RANK[_layer(name)] > own
    ]

    assert upward == [], f"{module} ({_layer(module)}) imports from above: {upward}"


def test_the_domain_imports_nothing_but_the_standard_library_and_itself():
    for path in sorted((PORTAL / "domain").rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            assert name.startswith("portal.domain") or top in sys.stdlib_module_names, (
                f"{_module_name(path)} imports {name}"
            )
            assert not name.startswith(FRAMEWORKS)


def test_reads_never_import_the_write_side():
    for folder in ("queries", "reports"):
        for path in sorted((PORTAL / folder).rglob("*.py")):
            writes = [name for name in _imports(path) if name.startswith("portal.services")]
            assert writes == [], f"{_module_name(path)} imports {writes}"


def test_services_never_read_the_http_request_or_the_logged_in_user():
    for path in sorted((PORTAL / "services").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
                names = {alias.name for alias in node.names}
                assert not names & {"request", "session", "g", "current_user"}, (
                    f"{_module_name(path)} imports {sorted(names)} from {node.module}"
                )
