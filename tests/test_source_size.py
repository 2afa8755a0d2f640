"""Sizes a reader can hold in mind: no module over 500 lines, no function over 80 (issue #16)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

# An argument parser reads best as one list of options.
LONG_FUNCTIONS_ALLOWED = {("cli.py", "build_parser")}
# Nothing is exempt; a path here would be skipped.
NOT_YET_CHECKED: tuple[str, ...] = ()


def _modules() -> list[tuple[str, str]]:
    """(path relative to the package, source) of every module checked."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if not name.startswith(NOT_YET_CHECKED):
            found.append((name, path.read_text(encoding="utf-8")))
    return found


def _long_functions(name: str, source: str) -> list[str]:
    long = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (name, node.name) not in LONG_FUNCTIONS_ALLOWED:
            length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
            if length > MAX_FUNCTION_LINES:
                long.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    return long


def test_no_module_is_over_500_lines():
    long = [f"{name} ({len(source.splitlines())} lines)" for name, source in _modules() if len(source.splitlines()) > MAX_MODULE_LINES]
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {', '.join(long)}; split them by job"


def test_no_function_is_over_80_lines():
    long = [entry for name, source in _modules() for entry in _long_functions(name, source)]
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {', '.join(long)}; split them into named helpers"


def test_the_checks_see_the_package():
    names = {name for name, _ in _modules()}
    assert {"cli.py", "extract/backends/pdfium.py", "recognise/cues.py"} <= names
    assert _long_functions("sample.py", "def f():\n" + "    x = 1\n" * MAX_FUNCTION_LINES) == ["sample.py:1 f (81 lines)"]
