"""Threat detection in audit logs: detect_lines (a generator), detect_events, detect_paths,
and the shared vectors core/tests/vectors/detect-*.json (the same alerts as Rust and Node)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import rempart

VECTORS = sorted((Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors").glob("detect-*.json"))


def project(report: rempart.DetectReport) -> Dict[str, Any]:
    """The projection of core/tests/vectors.rs (documentation texts left out)."""
    alerts = []
    for a in report.alerts:
        d = a.to_dict()
        for key in ("title", "category", "fix"):
            d.pop(key)
        alerts.append(d)
    return {
        "alerts": alerts,
        "errors": [e.__dict__ for e in report.errors],
        "summary": report.summary.__dict__,
    }


def secret_read(n: int, user: str = "mallory") -> Dict[str, Any]:
    return {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": f"a{n}", "stage": "ResponseComplete",
        "verb": "get", "user": {"username": user}, "sourceIPs": ["10.0.0.1"],
        "objectRef": {"resource": "secrets", "namespace": "prod", "name": f"s{n}", "apiVersion": "v1"},
        "responseStatus": {"code": 200}, "requestReceivedTimestamp": f"2024-05-01T10:00:{n:02d}Z",
    }


def test_detect_vectors_exist() -> None:
    assert len(VECTORS) >= 2


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_detect_vector(path: Path) -> None:
    vector = json.loads(path.read_text())
    engine = rempart.Engine(select=vector["options"].get("select"))
    text = vector["input"]["text"]
    errors: List[rempart.DetectError] = []
    alerts = list(
        engine.detect_lines(text.splitlines(), filename=vector["input"]["filename"], on_error=errors.append)
    )
    got = project(rempart.DetectReport(alerts, errors, rempart.DetectSummary(0, 0, 0, 0, 0, 0)))
    # The generator gives no summary: alerts and errors are compared.
    assert got["alerts"] == vector["expected"]["alerts"]
    assert got["errors"] == vector["expected"]["errors"]


def test_detect_lines_is_a_lazy_generator() -> None:
    engine = rempart.Engine(select=["detect/bulk-secret-access"])
    read: List[int] = []

    def lines() -> Iterator[bytes]:
        for n in range(30):
            read.append(n)
            yield json.dumps(secret_read(n)).encode()

    stream = engine.detect_lines(lines())
    first = next(stream)
    # The tenth distinct Secret raised the alert before the rest of the log was read.
    assert read[-1] == 9
    assert isinstance(first, rempart.Alert)
    assert first.rule == "detect/bulk-secret-access"
    assert first.user == "mallory" and first.line == 10 and first.audit_id == "a9"
    assert first.object_ref == rempart.AuditObjectRef(resource="secrets", namespace="prod", name="s9", apiVersion="v1")
    assert first.aggregate is not None and first.aggregate["count"] == 10
    assert first.to_dict()["auditID"] == "a9"
    assert list(stream) == []


def test_bad_lines_go_to_on_error_and_the_stream_goes_on() -> None:
    engine = rempart.Engine(select=["detect/bulk-secret-access"])
    errors: List[rempart.DetectError] = []
    lines = ["{oops", "not json", json.dumps({"kind": "Pod", "apiVersion": "v1"})]
    lines += [json.dumps(secret_read(n)) for n in range(10)]
    alerts = list(engine.detect_lines(lines, filename="x.log", on_error=errors.append))
    assert [e.line for e in errors] == [1, 2, 3]
    assert [a.line for a in alerts] == [13]


def test_detect_events_and_paths(tmp_path: Path) -> None:
    engine = rempart.Engine(select=["detect/bulk-secret-access"])
    events = [secret_read(n) for n in range(10)]
    report = engine.detect_events(events)
    assert [(a.rule, a.line, a.file) for a in report.alerts] == [("detect/bulk-secret-access", 10, "<events>")]
    assert report.summary.events == 10
    text = "\n".join(json.dumps(e) for e in events) + "\n"
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "audit.log.1.gz").write_bytes(gzip.compress(text[: len(text) // 2].rsplit("\n", 1)[0].encode() + b"\n"))
    rest = "\n".join(text[: len(text) // 2].rsplit("\n", 1)[1:]) + text[len(text) // 2 :]
    (tmp_path / "logs" / "audit.log.2").write_text(rest)
    report = engine.detect_paths(tmp_path / "logs")
    assert report.errors == []
    assert report.summary.files == 2
    # The run spans the files: the window holds the reads of both.
    assert [a.file.endswith("audit.log.2") for a in report.alerts] == [True]
    with pytest.raises(rempart.OptionsError):
        engine.detect_paths(tmp_path, input="nope")
