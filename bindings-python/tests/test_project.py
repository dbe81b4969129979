"""The project around the engine, as `rempart scan` has it: configuration file (given or found
from the scanned paths), exceptions with expiry, baselines and the exit decision."""

from __future__ import annotations

from pathlib import Path

import pytest

import rempart

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  hostPID: true\n  containers: [{name: app, image: \"shop/web:1.4\"}]\n"
CONFIG = """select: [pod-security/baseline]
exceptions:
  - policies: [pod-security/baseline/host-namespaces]
    match: {names: [web]}
    reason: reads the node's process table
    expires: 2027-06-30
"""


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(POD)
    (tmp_path / ".rempart.yaml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def policies(report: rempart.Report) -> list:
    return [f.policy for f in report.findings]


def test_the_configuration_found_from_the_scanned_path_applies_with_a_note(repo: Path) -> None:
    report = rempart.Engine(today="2026-01-01").scan_paths("k8s")
    assert policies(report) == []
    assert report.summary.excepted == 1
    assert [(n.file, n.message) for n in report.notes] == [(".rempart.yaml", "configuration file found from the scanned paths and applied")]
    assert report.exit_code == 0


def test_config_false_uses_none(repo: Path) -> None:
    report = rempart.Engine(config=False, select=["pod-security/baseline"]).scan_paths("k8s")
    assert policies(report) == ["pod-security/baseline/host-namespaces"]
    assert report.notes == [] and report.exit_code == 1


def test_an_expired_exception_hides_nothing_and_is_reported(repo: Path) -> None:
    engine = rempart.Engine(config=repo / ".rempart.yaml", today="2027-07-01")
    report = engine.scan_text(POD, "k8s/web.yaml")
    assert policies(report) == ["pod-security/baseline/host-namespaces", "rempart/exception-expired"]
    expired = report.findings[1]
    assert (expired.file, expired.span.start.line) == (str(repo / ".rempart.yaml"), 6)


def test_arguments_override_the_configuration(repo: Path) -> None:
    engine = rempart.Engine(config=".rempart.yaml", select=["images"], fail_on="none")
    report = engine.scan_text(POD, "k8s/web.yaml")
    assert all(p.startswith("images/") or p.startswith("rempart/") for p in policies(report))
    assert report.exit_code == 0


def test_a_baseline_path_or_text_leaves_out_what_it_holds(repo: Path) -> None:
    assert rempart._native.cli(["rempart", "scan", "k8s", "--no-config", "--select", "pod-security/baseline", "--write-baseline", "b.json", "--format", "json", "-o", "r.json"]) == 1
    for baseline in (repo / "b.json", (repo / "b.json").read_text()):
        report = rempart.Engine(config=False, select=["pod-security/baseline"], baseline=baseline).scan_paths("k8s")
        assert policies(report) == [] and report.summary.baselined == 1 and report.exit_code == 0


def test_mistakes_in_the_configuration_have_their_line_and_column(repo: Path) -> None:
    (repo / "bad.yaml").write_text("select: [pod-security]\nfailOn: sometimes\n")
    with pytest.raises(rempart.ConfigError) as caught:
        rempart.Engine(config="bad.yaml")
    assert (caught.value.code, caught.value.file, caught.value.line, caught.value.column) == ("config", "bad.yaml", 2, 9)
    with pytest.raises(rempart.OptionsError, match="fail_on"):
        rempart.Engine(config=False, fail_on="sometimes")
