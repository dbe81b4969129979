"""Option mistakes name the option (as Python spells it) and what it accepts; a `select` or
`ignore` value that matches no policy is an error, never an engine that finds nothing."""

from __future__ import annotations

import re

import pytest

import rempart


def message(**options: object) -> str:
    with pytest.raises(rempart.OptionsError) as e:
        rempart.Engine(**options)  # type: ignore[arg-type]
    assert not re.search(r"line \d+ column \d+", e.value.message), e.value.message
    return e.value.message


def test_option_mistakes_name_the_option_and_the_accepted_values() -> None:
    assert message(pod_security_level="bogus") == "option `pod_security_level`: `bogus` is not one of `baseline`, `restricted`, `from-namespace`"
    assert message(limits={"maxDepth": float("nan")}) == "option `limits`: its value cannot be written as JSON (NaN and infinities are not allowed)"
    assert "unknown limit `maxDepht`; did you mean `maxDepth`?" in message(limits={"maxDepht": 3})
    assert "`urgent` for `images/latest-tag` is not one of `info`" in message(severities={"images/latest-tag": "urgent"})
    assert message(pod_security_version=3) == "option `pod_security_version`: `3` is not a version like `v1.29`, or `latest`"


def test_select_and_ignore_values_that_match_nothing_are_errors() -> None:
    assert message(select=["nope"]).startswith("option `select`: `nope` matches no policy")
    assert "did you mean `workload/read-only-root-filesystem`?" in message(ignore=["workload/read-only"])
    assert "has no parameter `bogus` (it has `exempt`)" in message(params={"pod-security/namespace-enforce-level": {"bogus": 1}})
    ids = [p.id for p in rempart.Engine(select=["pod-security/baseline/*"]).policies()]
    assert ids and all(i.startswith("pod-security/baseline/") for i in ids)


def test_a_version_newer_than_known_is_a_note() -> None:
    report = rempart.Engine(pod_security_version="v1.99").scan_text("a: 1\n")
    assert any(re.search(r"`v1\.99` is newer than v1\.\d+", n.message) for n in report.notes), report.notes
