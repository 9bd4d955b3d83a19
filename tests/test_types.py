"""The type hints hold: mypy checks the package, the benchmark and the tests.

Run here rather than as a separate CI step, so that the README's test line
stays the one command that checks everything.
"""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_errors(tmp_path: Path) -> None:
    paths = [str(ROOT / name) for name in ("newsarchive", "bench", "tests")]
    config = str(ROOT / "pyproject.toml")
    out, err, status = api.run(["--config-file", config, "--cache-dir", str(tmp_path), *paths])
    assert status == 0, out + err
    assert out.startswith("Success: no issues found")
