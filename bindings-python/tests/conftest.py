from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Data that lives outside this repository (the upstream references): `$REMPART_SHARED`, else
# the `shared/` folder beside the checkout.
SHARED = Path(os.environ.get("REMPART_SHARED") or ROOT.parent / "shared")
OUTSIDE = "outside this repository"


def shared_file(relative: str) -> Path:
    """A file of the shared folder. Missing, the test is skipped with a notice, except in CI
    (`CI=true`), where the folder is provided and its absence fails the test."""
    path = SHARED / relative
    if path.is_file():
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing; CI=true requires the `shared/` folder beside the checkout (or REMPART_SHARED)", pytrace=False)
    pytest.skip(f"needs {path}, {OUTSIDE}: put the `shared/` folder beside the checkout or set REMPART_SHARED=/path/to/shared to run it")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Tests skipped for want of data outside the repository are listed, never silent."""
    reasons = sorted({str(r.longrepr[2]) for r in terminalreporter.stats.get("skipped", []) if isinstance(r.longrepr, tuple) and OUTSIDE in str(r.longrepr[2])})
    counts = len([r for r in terminalreporter.stats.get("skipped", []) if isinstance(r.longrepr, tuple) and OUTSIDE in str(r.longrepr[2])])
    if reasons:
        terminalreporter.write_line(f"SKIPPED {counts} test(s) that read data {OUTSIDE}:", yellow=True)
        for reason in reasons:
            terminalreporter.write_line(f"  {reason.removeprefix('Skipped: ')}", yellow=True)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def rust_cli() -> str:
    """The Rust `rempart` binary the Python command must match (built by `cargo test`)."""
    path = os.environ.get("REMPART_BIN") or str(ROOT / "target" / "debug" / "rempart")
    assert Path(path).exists(), f"build the Rust CLI first (cargo build -p rempart-cli): {path} is missing"
    return path


@pytest.fixture(scope="session")
def python_cli() -> str:
    path = shutil.which("rempart", path=str(Path(os.sys.executable).parent))
    assert path, "the wheel must install the `rempart` command next to the interpreter"
    return path
