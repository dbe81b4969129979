"""The Dask example on a LocalCluster with two workers: alerts across files (a burst of Secret
reads split over two files, the stages of one request in two files) equal those of one
detector over the whole log."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("dask.distributed")
pytest.importorskip("pyarrow")

sys.path.insert(0, str(Path(__file__).resolve().parent))

import detect_audit  # noqa: E402
import pandas as pd  # noqa: E402
import rempart  # noqa: E402


def read(n: int, user: str, stage: str = "ResponseComplete") -> Dict[str, Any]:
    return {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": f"r{n}", "stage": stage, "verb": "get",
        "user": {"username": user}, "sourceIPs": ["10.0.0.1"],
        "objectRef": {"resource": "secrets", "namespace": "prod", "name": f"s{n}", "apiVersion": "v1"},
        "responseStatus": {"code": 200}, "requestReceivedTimestamp": f"2024-05-01T10:{n:02d}:00Z",
    }


def write_logs(root: Path) -> List[str]:
    # mallory reads 10 distinct Secrets in 10 minutes: 6 in one file, 4 in another (gzipped);
    # bob reads 9 in all. Nothing in one file alone crosses the threshold.
    a = [read(n, "mallory") for n in range(0, 6)] + [read(n, "bob") for n in range(20, 25)]
    b = [read(n, "mallory") for n in range(6, 10)] + [read(n, "bob") for n in range(25, 29)]
    (root / "node-a").mkdir(parents=True)
    (root / "node-a" / "audit.log").write_text("\n".join(json.dumps(e) for e in a) + "\n{truncated\n")
    (root / "node-b.log.gz").write_bytes(gzip.compress(("\n".join(json.dumps(e) for e in b) + "\n").encode()))
    return [json.dumps(e) for e in sorted(a + b, key=lambda e: e["requestReceivedTimestamp"])]


def test_alerts_across_partitions_match_one_detector(tmp_path: Path) -> None:
    from dask.distributed import Client, LocalCluster

    ordered = write_logs(tmp_path / "logs")
    files = detect_audit.log_files(str(tmp_path / "logs"))
    assert len(files) == 2
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        frame = detect_audit.detect(files, {"select": ["detect/bulk-secret-access"]})
    assert list(frame["rule"]) == ["detect/bulk-secret-access"]
    row = frame.iloc[0]
    assert row["user"] == "mallory"
    assert row["aggregate"]["count"] == 10
    # The alert points at the event that crossed the threshold, in its own file.
    assert row["file"].endswith("node-b.log.gz") and row["line"] == 4
    assert [e["line"] for e in frame.attrs["errors"]] == [12]
    # The same alerts as one detector over the whole log in time order.
    single = list(rempart.Engine(select=["detect/bulk-secret-access"]).detect_lines(ordered))
    assert [(a.rule, a.user, a.audit_id) for a in single] == [(r["rule"], r["user"], r["auditID"]) for _, r in frame.iterrows()]
    # Parquet and JSON lines.
    detect_audit.write(frame, str(tmp_path / "alerts.parquet"))
    back = pd.read_parquet(tmp_path / "alerts.parquet")
    assert list(back["rule"]) == ["detect/bulk-secret-access"]
    assert json.loads(back.iloc[0]["aggregate"])["count"] == 10
    detect_audit.write(frame, str(tmp_path / "alerts.jsonl"))
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["auditID"] == "r9"


def test_the_script_runs_end_to_end(tmp_path: Path) -> None:
    write_logs(tmp_path / "logs")
    code = detect_audit.main([str(tmp_path / "logs"), "--out", str(tmp_path / "a.jsonl"), "--workers", "2"])
    assert code == 2  # the truncated line is an error
    alerts = [json.loads(l) for l in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [a["rule"] for a in alerts] == ["detect/bulk-secret-access"]
