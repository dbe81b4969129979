from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import rempart

PRIVILEGED = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: x:1, securityContext: {privileged: yes}}\n"


def test_findings_have_the_report_fields() -> None:
    report = rempart.Engine().scan_text(PRIVILEGED, "pod.yaml")
    f = next(f for f in report.findings if f.policy == "pod-security/baseline/privileged")
    assert (f.file, f.path, f.severity) == ("pod.yaml", "/spec/containers/0/securityContext/privileged", "critical")
    assert (f.span.start.line, f.span.start.column, f.span.end.column) == (6, 57, 60)
    assert f.object.kind == "Pod" and f.object.name == "p"
    assert f.standards["pod-security"] == {"level": "baseline", "check": "privileged", "version": "v1.37"}
    assert f.to_dict()["policy"] == f.policy
    assert report.summary.findings == len(report.findings)
    assert json.loads(report.to_json())["summary"]["documents"] == 1


def test_policy_errors_are_positioned(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: acme/x\ntitle: t\nseverity: hihg\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules: [{deny: {path: x, equals: 1}, message: m}]\ntests: {pass: [{kind: Pod}], fail: [{kind: Pod}]}\n")
    with pytest.raises(rempart.PolicyError) as info:
        rempart.Engine(policies=[tmp_path])
    err = info.value
    assert isinstance(err, rempart.RempartError)
    assert err.file is not None and err.file.endswith("bad.yaml")
    assert (err.line, err.column) == (3, 11)
    assert "severity `hihg`" in err.locations[0].message


def test_options_errors() -> None:
    with pytest.raises(rempart.OptionsError):
        rempart.Engine(pod_security_level="strict")
    with pytest.raises(rempart.OptionsError):
        rempart.Engine(pod_security_version="v2.0")
    with pytest.raises(rempart.OptionsError, match="did you mean `pod-security/baseline/privileged`"):
        rempart.explain("pod-security/baseline/privileges")
    with pytest.raises(rempart.OptionsError):
        rempart.Engine().evaluate({"bad": {1, 2}})  # type: ignore[dict-item]


def test_evaluate_loaded_objects() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostPID": True, "containers": []}}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": pod}}
    report = rempart.Engine(select=["pod-security/baseline/host-namespaces"]).evaluate([pod, deployment])
    assert [(f.document, f.path) for f in report.findings] == [(0, "/spec/hostPID"), (1, "/spec/template/spec/hostPID")]


def test_scan_paths_matches_scan_texts(root: Path) -> None:
    engine = rempart.Engine()
    files = ["examples/manifests/hardened/app.yaml", "examples/manifests/insecure/app.yaml"]
    by_path = engine.scan_paths([str(root / "examples/manifests")])
    by_text = engine.scan_texts([(str(root / f), (root / f).read_text()) for f in files])
    assert by_path.to_json() == by_text.to_json()
    assert by_path.summary.files == 2 and by_path.summary.findings > 0


def test_unreadable_paths_are_errors(tmp_path: Path) -> None:
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01binary")
    report = rempart.Engine().scan_paths([tmp_path, tmp_path / "missing"])
    messages = sorted(e.message for e in report.errors)
    assert any("binary" in m for m in messages) and any("no such file" in m for m in messages)


def test_threads_share_one_engine() -> None:
    engine = rempart.Engine()
    texts = [PRIVILEGED.replace("name: p}", f"name: p{i}}}") for i in range(64)]
    expected = [engine.scan_text(t).to_json() for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda t: engine.scan_text(t).to_json(), texts))
    assert got == expected


def test_builtin_catalogue() -> None:
    ids = [p.id for p in rempart.policies()]
    assert "pod-security/restricted/run-as-non-root" in ids
    info = rempart.explain("pod-security/baseline/privileged")
    assert info.severity == "critical" and info.docs["fix"]


def test_hostile_input_is_an_error_not_a_crash() -> None:
    bomb = "a: &a [x]\n" + "".join(f"b{i}: &b{i} [*{'a' if i == 0 else 'b' + str(i - 1)}]*9\n" for i in range(3))
    deep = "[" * 100_000
    report = rempart.Engine().scan_texts([("bomb.yaml", bomb), ("deep.yaml", deep), ("ok.yaml", PRIVILEGED)])
    assert report.summary.errors >= 1
    assert any(f.file == "ok.yaml" for f in report.findings)


def test_module_runs_as_a_command(root: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "rempart", "scan", str(root / "examples/manifests/hardened")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 finding(s)" in out.stdout


def test_a_panic_becomes_an_exception_and_the_engine_stays_usable() -> None:
    engine = rempart.Engine()
    before = engine.scan_text(PRIVILEGED).to_json()
    with pytest.raises(rempart.InternalError, match="internal error"):
        engine._panic_for_tests()
    assert engine.scan_text(PRIVILEGED).to_json() == before


def test_an_input_over_max_input_bytes_is_an_error_of_the_report() -> None:
    engine = rempart.Engine(limits={"maxInputBytes": 1000})
    message = "the input is over the limit of 1000 bytes; it was not read (raise `maxInputBytes`)"
    # Counted in UTF-8 bytes: 600 characters of two bytes each are over.
    report = engine.scan_texts([("big.yaml", "é" * 600), ("small.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: []}\n")])
    assert [(e.file, e.message) for e in report.errors] == [("big.yaml", message)]
    assert report.summary.documents == 1 and report.findings and report.exit_code == 2
    assert [e.file for e in engine.evaluate({"data": "x" * 2000}).errors] == ["<object>"]
    assert engine.scan_text("a: 1\n").summary.documents == 1
    with pytest.raises(rempart.LimitError):
        rempart.Engine(limits={"maxPolicies": 5})


def test_to_json_is_the_cli_report(root: Path, rust_cli: str) -> None:
    cli = subprocess.run([rust_cli, "scan", "--format", "json", "examples/manifests"], capture_output=True, text=True, cwd=root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        report = rempart.Engine().scan_paths(["examples/manifests"])
    finally:
        os.chdir(cwd)
    assert report.to_json() == cli.stdout
