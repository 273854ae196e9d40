"""The calculation package stays pure Python: no Django, no other project app."""

import ast
from pathlib import Path

import bistand.calculation

PACKAGE = Path(bistand.calculation.__file__).parent
FORBIDDEN = ("django", "rest_framework", "bistand.")
ALLOWED = ("bistand.calculation", "bistand.core")


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_calculation_imports_no_django_and_no_other_app():
    offending = [
        f"{path.name}: {module}"
        for path in PACKAGE.rglob("*.py")
        for module in imported_modules(path)
        if module.startswith(FORBIDDEN)
        and not module.startswith(ALLOWED)
        or module in ("django", "bistand")
    ]
    assert offending == []
