"""Every SARIF output of the test suite validates against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from conftest import shared_file

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "cli" / "tests" / "golden").glob("*.sarif"))


def validate(doc: dict) -> None:
    # The official schema is not part of this repository: without it, the test is skipped.
    SCHEMA = json.loads(shared_file("reference/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_there_are_golden_sarif_files() -> None:
    assert len(GOLDEN) >= 2


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_golden_sarif_is_valid(path: Path) -> None:
    validate(json.loads(path.read_text().replace("file://<root>/", "file:///root/")))


SCANS = [
    ["examples/manifests"],
    ["cli/tests/fixtures/mixed.yaml", "no/such/file.yaml"],
    ["--select", "pod-security", "--pod-security-version", "v1.18", "examples/manifests/insecure"],
    ["--policies", "examples/policies", "examples"],
]


@pytest.mark.parametrize("args", SCANS, ids=[" ".join(a) for a in SCANS])
def test_fresh_sarif_is_valid(args: list, python_cli: str) -> None:
    out = subprocess.run([python_cli, "scan", "--format", "sarif", *args], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode in (0, 1, 2), out.stderr
    doc = json.loads(out.stdout)
    validate(doc)
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
