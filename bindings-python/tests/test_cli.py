"""The `rempart` command installed by the wheel is the Rust CLI: same output, same exit codes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CASES = [
    ["scan", "examples/manifests", "--color", "never"],
    ["scan", "--format", "json", "examples/manifests"],
    ["scan", "examples/manifests/hardened"],
    ["scan", "--select", "pod-security", "--pod-security-level", "baseline", "--pod-security-version", "v1.29", "examples/manifests"],
    ["scan", "no/such/path"],
    ["scan", "--fail-on", "bogus", "examples"],
    ["policies"],
    ["explain", "images/latest-tag"],
    ["test"],
    ["--version"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(a) for a in CASES])
def test_same_as_the_rust_cli(args: list, root: Path, rust_cli: str, python_cli: str) -> None:
    rust = subprocess.run([rust_cli, *args], capture_output=True, text=True, cwd=root)
    py = subprocess.run([python_cli, *args], capture_output=True, text=True, cwd=root)
    assert (py.returncode, py.stdout, py.stderr) == (rust.returncode, rust.stdout, rust.stderr)


def test_stdin(root: Path, python_cli: str) -> None:
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostNetwork: true, containers: []}\n"
    out = subprocess.run([python_cli, "scan", "-", "--color", "never"], input=pod, capture_output=True, text=True, cwd=root)
    assert out.returncode == 1
    assert "<stdin>:4:21: high pod-security/baseline/host-namespaces" in out.stdout
