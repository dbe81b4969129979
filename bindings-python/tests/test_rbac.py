"""RBAC questions from Python: the same answers as the shared vector rbac-queries.json."""

from __future__ import annotations

import json
from pathlib import Path

import rempart

VECTOR = json.loads((Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors" / "rbac-queries.json").read_text())
TEXTS = [(i["filename"], i["text"]) for i in VECTOR["inputs"]]


def grant_dict(g: rempart.Grant) -> dict:
    def obj(o: rempart.RbacObject) -> dict:
        d = {"kind": o.kind, "name": o.name, "file": o.file, "line": o.line, "column": o.column, "path": o.path}
        if o.namespace is not None:
            d["namespace"] = o.namespace
        return d

    d = {"binding": obj(g.binding), "role": obj(g.role), "rule": g.rule}
    if g.from_role is not None:
        d["from"] = obj(g.from_role)
    return d


def test_can_i_and_who_can_match_the_shared_vector() -> None:
    engine = rempart.Engine()
    for q in VECTOR["queries"]:
        ask = q["query"]
        if q["kind"] == "can-i":
            got = engine.can_i(ask["verb"], ask["resource"], user=ask["user"], groups=ask.get("groups", []),
                               namespace=ask.get("namespace", ""), subresource=ask.get("subresource", ""), texts=TEXTS)
            assert {"allowed": got.allowed, "grants": [grant_dict(g) for g in got.grants]} == q["expected"], ask
        elif q["kind"] == "who-can":
            got = engine.who_can(ask["verb"], ask["resource"], namespace=ask.get("namespace", ""), texts=TEXTS)
            subjects = []
            for s in got.subjects:
                d = {"kind": s.kind, "name": s.name, "via": [grant_dict(g) for g in s.via]}
                if s.namespace is not None:
                    d["namespace"] = s.namespace
                subjects.append(d)
            assert {"subjects": subjects} == q["expected"], ask


def test_paths_are_read_as_the_cli_reads_them(tmp_path: Path) -> None:
    (tmp_path / "rbac.yaml").write_text(TEXTS[0][1])
    engine = rempart.Engine()
    got = engine.can_i("get", "secrets", user="system:serviceaccount:tools:ci", namespace="prod", paths=tmp_path)
    assert got.allowed and got.grants[0].binding.name == "ci-secrets"
    assert not engine.can_i("get", "secrets", user="system:serviceaccount:tools:ci", paths=[tmp_path]).allowed
    rules = engine.effective_rules(user="system:serviceaccount:tools:ci", namespace="prod", paths=tmp_path)
    assert [r.resources for r in rules] == [["secrets"]]
