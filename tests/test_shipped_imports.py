"""Shipped code (bots, adapters, core) never imports the tests or the benchmarks, and never edits
sys.path: an installed CodeDesk has neither folder."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("bots", "adapters", "core")
FORBIDDEN = ("tests", "bench")


def _modules() -> list[Path]:
    found = [path for package in SHIPPED for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(found) > 50  # the walk really sees the source tree
    return found


def _imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.append(node.args[0].value)
    return names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shipped_module_imports_tests_or_bench(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [name for name in _imported(tree) if name.split(".")[0] in FORBIDDEN]
    assert bad == [], f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shipped_module_edits_sys_path(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    edits = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr == "path"
             and isinstance(node.value, ast.Name) and node.value.id == "sys"]
    assert edits == [], f"{path.relative_to(ROOT)} touches sys.path on lines {edits}"


def test_the_walk_catches_a_hidden_import() -> None:
    tree = ast.parse("def f():\n    from tests.fakes.slack_api import FakeSlack\n    import bench.slack\n")
    assert [n.split(".")[0] for n in _imported(tree)] == ["tests", "bench"]
