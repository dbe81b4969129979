from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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
