"""The code keeps the shape the README describes: small modules, short views, no import circle
and nothing imported against the layout (bin/check-imports, which `make lint` runs too)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_LINES_MAX = 400
VIEW_LINES_MAX = 30
# One settings file read top to bottom (django-environ, every variable beside its reason).
LONGER_ALLOWED = {"ticketui/settings.py"}


def _modules():
    for path in sorted((ROOT / "ticketui").rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def test_no_module_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES_MAX
    }
    assert {name: n for name, n in long.items() if name not in LONGER_ALLOWED} == {}


def test_no_view_is_over_30_lines():
    long = {}
    for path in _modules():
        if path.name != "views.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not (isinstance(node, ast.FunctionDef) and node.name.endswith("_view")):
                continue
            if (length := node.end_lineno - node.lineno + 1) > VIEW_LINES_MAX:
                long[f"{path.relative_to(ROOT)}:{node.name}"] = length
    assert long == {}


def test_there_is_no_import_circle_and_nothing_imports_against_the_layout():
    checked = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "check-imports")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
