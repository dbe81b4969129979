"""The README's Python quickstart, the CI example script, and the type stubs all work."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest


DOCS = ["README.md", "bindings-python/README.md", "policies/README.md", "policies/pod-security/README.md"]


def blocks(readme: Path) -> list:
    return re.findall(r"```python\n(.*?)```", readme.read_text(), re.S)


def test_the_readmes_have_a_python_quickstart(root: Path) -> None:
    for readme in DOCS[:2]:
        code = blocks(root / readme)
        assert code, f"no Python quickstart in {readme}"
        assert len(code[0].strip().splitlines()) <= 7, "the quickstart is short"


@pytest.mark.parametrize("readme", DOCS)
def test_every_python_example_runs(readme: str, root: Path, tmp_path: Path) -> None:
    """Each block runs in a folder with `k8s/pod.yaml`; findings and errors are both printed."""
    for code in blocks(root / readme):
        (tmp_path / "k8s").mkdir(exist_ok=True)
        (tmp_path / "k8s" / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: []}\n---\n[unclosed\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "k8s/pod.yaml:4:" in out.stdout and "pod-security/baseline/host-namespaces" in out.stdout
        assert "k8s/pod.yaml: error:" in out.stdout, "a document that cannot be read is reported"
        # Where the path does not exist, the example says so instead of printing nothing.
        empty = tmp_path / "empty"
        empty.mkdir(exist_ok=True)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=empty)
        assert out.returncode == 0 and "k8s/: error:" in out.stdout, out.stdout + out.stderr


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
