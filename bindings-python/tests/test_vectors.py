"""The shared vectors of core/tests/vectors: identical findings to the Rust tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

import rempart

ALL = sorted((Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors").glob("*.json"))
# `detect-*.json` are audit logs for `rempart detect` (tests/test_detect.py); `admission-*.json`
# are AdmissionReviews (tests/test_admission.py).
VECTORS = [p for p in ALL if not p.name.startswith(("detect-", "admission-"))]
OPTION_NAMES = {
    "select": "select",
    "ignore": "ignore",
    "params": "params",
    "podSecurityLevel": "pod_security_level",
    "podSecurityVersion": "pod_security_version",
}


def project(report: rempart.Report) -> Dict[str, Any]:
    """The same projection as core/tests/vectors.rs."""
    d = report.to_dict()
    d.pop("version")
    for f in d["findings"]:
        for key in ("title", "category", "fix"):
            f.pop(key)
    return d


def test_vectors_exist() -> None:
    assert len(VECTORS) >= 10


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vector = json.loads(path.read_text())
    kwargs: Dict[str, Any] = {OPTION_NAMES[k]: v for k, v in vector.get("options", {}).items()}
    setup = vector.get("project")
    if setup is not None:
        # The configuration text as the file `.rempart.yaml` of the current folder.
        monkeypatch.chdir(tmp_path)
        if "config" in setup:
            (tmp_path / ".rempart.yaml").write_text(setup["config"])
            kwargs["config"] = ".rempart.yaml"
        kwargs.update({k: setup[k] for k in ("baseline", "today") if k in setup})
        if "failOn" in setup:
            kwargs["fail_on"] = setup["failOn"]
    engine = rempart.Engine(**kwargs)
    report = engine.scan_texts([(i["filename"], i["text"]) for i in vector["inputs"]])
    assert project(report) == vector["expected"]
    if setup is not None:
        assert report.exit_code == vector["exitCode"]
