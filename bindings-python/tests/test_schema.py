"""The published JSON Schema of the report (core/schema/report.schema.json) holds for real
reports (the CLI's over examples/, the shared vectors'), and the Python dataclasses have its
fields: a field added to the report cannot reach one side and miss the other."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import typing
from pathlib import Path
from typing import Any, Dict, List

import jsonschema
import pytest

import rempart

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "core" / "schema" / "report.schema.json").read_text())
# `detect-*.json` are audit logs for `rempart detect` (test_detect.py), not scan reports.
VECTORS = [p for p in sorted((ROOT / "core" / "tests" / "vectors").glob("*.json")) if not p.name.startswith("detect-")]


def validate(report: Dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(report)


@pytest.mark.parametrize("path", ["examples", "examples/control-plane", "examples/manifests/insecure"])
def test_the_cli_reports_of_the_examples_hold(path: str, rust_cli: str) -> None:
    out = subprocess.run([rust_cli, "scan", "--format", "json", "--fail-on", "none", path], capture_output=True, text=True, cwd=ROOT)
    report = json.loads(out.stdout)
    assert report["findings"], "a report with findings"
    validate(report)


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_the_reports_of_the_vectors_hold(path: Path) -> None:
    vector = json.loads(path.read_text())
    names = {"select": "select", "ignore": "ignore", "params": "params", "podSecurityLevel": "pod_security_level", "podSecurityVersion": "pod_security_version"}
    kwargs = {names[k]: v for k, v in vector.get("options", {}).items()}
    setup = vector.get("project", {})
    if "config" in setup:
        kwargs["config"] = False
        kwargs["select"] = ["pod-security/baseline"]
    report = rempart.Engine(**kwargs).scan_texts([(i["filename"], i["text"]) for i in vector["inputs"]])
    validate(report.to_dict())


def test_the_schema_rejects_what_it_should() -> None:
    bad = {"version": "1", "findings": [], "errors": [], "notes": [], "summary": {"files": 0}}
    with pytest.raises(jsonschema.ValidationError):
        validate(bad)


def nullable(schema: Dict[str, Any]) -> bool:
    t = schema.get("type")
    return (isinstance(t, list) and "null" in t) or any(s.get("type") == "null" for s in schema.get("oneOf", []))


DATACLASSES = {
    "Finding": rempart.Finding,
    "RelatedLocation": rempart.RelatedLocation,
    "ErrorEntry": rempart.ErrorEntry,
    "Summary": rempart.Summary,
    "ObjectRef": rempart.ObjectRef,
    "Position": rempart.Position,
    "SourceSpan": rempart.Span,
}


@pytest.mark.parametrize("name", sorted(DATACLASSES))
def test_the_dataclasses_have_the_schema_fields(name: str) -> None:
    definition = SCHEMA["$defs"][name]
    cls = DATACLASSES[name]
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.name.startswith("_")}
    assert set(fields) == set(definition["properties"]), name
    hints = typing.get_type_hints(cls)
    for field, f in fields.items():
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if field not in definition["required"]:
            assert has_default, f"{name}.{field} may be absent from a report: it needs a default"
        optional = type(None) in typing.get_args(hints[field])
        if nullable(definition["properties"][field]):
            assert optional, f"{name}.{field} may be null: its type needs Optional"
        if optional:
            assert field not in definition["required"] or nullable(definition["properties"][field]), f"{name}.{field} is never null"


def test_the_report_properties_are_read() -> None:
    props: List[str] = sorted(SCHEMA["properties"])
    assert all(isinstance(getattr(rempart.Report, p), property) for p in props), props
