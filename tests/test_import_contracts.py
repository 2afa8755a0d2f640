"""The import direction of docs/DESIGN.md, as import-linter contracts (``[tool.importlinter]`` in pyproject.toml).

The contracts are checked on the package itself, and on a copy of it with one
forbidden import added, to show that a violation breaks them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# In a child process run from the tree to check: import-linter finds the
# package on the path, and this process has imported the repository's own.
LINT = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))\n"
)


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", LINT], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def _sources_only(folder: str, names: list[str]) -> list[str]:
    """What copytree leaves out: everything but Python sources and folders (models, vendored scripts)."""
    def left_out(name: str) -> bool:
        if (Path(folder) / name).is_dir():
            return name == "__pycache__"
        return not name.endswith(".py")

    return [name for name in names if left_out(name)]


def test_the_package_keeps_its_import_contracts():
    result = _lint(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract", "reported"),
    [
        ("pipeline/segment.py", "import pipeline.export", "A stage never imports a later one BROKEN", "pipeline.segment -> pipeline.export"),
        ("pipeline/extract/garbled.py", "import spacy", "Extraction imports no NLP or ML library BROKEN", "pipeline.extract.garbled -> spacy"),
        ("pipeline/config.py", "from pipeline.graph import build_graph", "imports no stage BROKEN", "pipeline.config -> pipeline.graph"),
    ],
)
def test_a_forbidden_import_breaks_the_contracts(tmp_path, module, forbidden_import, contract, reported):
    shutil.copytree(REPO / "pipeline", tmp_path / "pipeline", ignore=_sources_only)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{forbidden_import}  # a deliberate violation\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert contract in " ".join(result.stdout.split())
    assert reported in result.stdout
