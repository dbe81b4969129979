"""The shared admission vectors of core/tests/vectors/admission-*.json: identical answers to the Rust tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

import rempart

VECTORS = sorted((Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors").glob("admission-*.json"))


def test_vectors_exist() -> None:
    assert len(VECTORS) >= 15


def _engine(options: Dict[str, Any], tmp_path: Path) -> rempart.Engine:
    kwargs: Dict[str, Any] = {}
    for i, policy in enumerate(options.get("policies", [])):
        path = tmp_path / f"{i}-{policy['name']}"
        path.write_text(policy["text"])
        kwargs.setdefault("policies", []).append(path)
    if "podSecurityLevel" in options:
        kwargs["pod_security_level"] = options["podSecurityLevel"]
    if "admission" in options:
        kwargs["admission"] = options["admission"]
    assert set(options) <= {"policies", "podSecurityLevel", "admission"}
    return rempart.Engine(**kwargs)


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_admission_vector(path: Path, tmp_path: Path) -> None:
    vector = json.loads(path.read_text())
    engine = _engine(vector.get("options", {}), tmp_path)
    expected = vector["expected"]
    if "error" in expected:
        with pytest.raises(rempart.ReviewError) as e:
            engine.review(vector["review"], vector.get("namespaceLabels"))
        assert e.value.code == expected["error"]["code"]
        assert str(e.value) == expected["error"]["message"]
    else:
        assert engine.review(vector["review"], vector.get("namespaceLabels")) == expected
