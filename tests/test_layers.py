"""The package's import graph reads cli -> archive -> (ingest, search): the
command line's modules reach the archive's insides only through ``Archive``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newsarchive"
CLI_MODULES = ["cli.py", "cli_ingest.py", "cli_common.py", "output.py", "__main__.py"]


def _imports(path: Path) -> list[str]:
    """Every module a file imports, relative ones resolved inside the package (at any depth of the file)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = "newsarchive" if node.level == 1 else "<outside>"
                module = f"{base}.{node.module}" if node.module else base
                found += [module] + [f"{module}.{alias.name}" for alias in node.names]
            elif node.module:
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


@pytest.mark.parametrize("name", CLI_MODULES)
def test_the_command_line_reaches_ingest_and_search_only_through_the_archive(name: str) -> None:
    inside = [m for m in _imports(PACKAGE / name) if m.startswith(("newsarchive.ingest", "newsarchive.search"))]
    assert not inside, f"{name} imports {inside}: go through newsarchive.archive"


def test_ingest_and_search_never_import_the_command_line_or_the_archive() -> None:
    for path in [*PACKAGE.glob("ingest/**/*.py"), *PACKAGE.glob("search/**/*.py")]:
        text = path.read_text()
        for forbidden in ("import click", "from ..cli", "from ...cli", "from ..archive", "from ...archive"):
            assert forbidden not in text, f"{path.relative_to(PACKAGE)}: {forbidden}"


def test_ingest_never_imports_search() -> None:
    for path in PACKAGE.glob("ingest/**/*.py"):
        assert "..search" not in path.read_text() and "newsarchive.search" not in path.read_text(), path
