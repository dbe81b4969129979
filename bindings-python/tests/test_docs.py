"""The README's Python quickstart, the CI example script, and the type stubs all work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest


def quickstart(readme: Path) -> str:
    text = readme.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"no Python quickstart in {readme}"
    return blocks[0]


@pytest.mark.parametrize("readme", ["README.md", "bindings-python/README.md"])
def test_quickstart_runs(readme: str, root: Path, tmp_path: Path) -> None:
    code = quickstart(root / readme)
    assert len(code.strip().splitlines()) <= 5, "the quickstart is five lines"
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: []}\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "k8s/pod.yaml:4:" in out.stdout and "pod-security/baseline/host-namespaces" in out.stdout


def test_ci_example(root: Path, tmp_path: Path) -> None:
    script = root / "examples" / "python-ci" / "scan.py"
    summary = tmp_path / "summary.md"
    bad = subprocess.run([sys.executable, str(script), str(root / "examples/manifests"), "--fail-on", "high", "--markdown", str(summary)], capture_output=True, text=True)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    md = summary.read_text()
    assert "| critical |" in md and "pod-security/baseline/privileged" in md
    ok = subprocess.run([sys.executable, str(script), str(root / "examples/manifests/hardened"), "--fail-on", "low"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "No findings" in ok.stdout


def test_type_stubs_check(root: Path, tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(
        "import rempart\n"
        "engine = rempart.Engine(select=['pod-security'], pod_security_level='baseline')\n"
        "report: rempart.Report = engine.scan_text('a: 1')\n"
        "lines: list[int] = [f.span.start.line for f in report.findings]\n"
        "try:\n    rempart.explain('x')\nexcept rempart.PolicyError as e:\n    col: int | None = e.column\n"
    )
    for target in ([str(usage)], ["-p", "rempart"]):
        out = subprocess.run([sys.executable, "-m", "mypy", "--strict", *target], capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stdout + out.stderr
    bad = tmp_path / "bad.py"
    bad.write_text("import rempart\nrempart.Engine().scan_text(42)\n")
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1 and "scan_text" in out.stdout
