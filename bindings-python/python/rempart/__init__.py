"""Rempart: a Kubernetes security policy engine.

The same engine, policies and findings as the ``rempart`` command (which this package also
installs). Findings point at the exact node that causes them: file, line, column, JSON
pointer.

>>> import rempart
>>> engine = rempart.Engine()
>>> report = engine.scan_text("apiVersion: v1\\nkind: Pod\\nmetadata: {name: p}\\nspec: {hostPID: true, containers: []}\\n")
>>> [f.policy for f in report.findings if f.severity == "high"]
['pod-security/baseline/host-namespaces']
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
import os
import logging
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native

__all__ = [
    "Engine",
    "Report",
    "Finding",
    "RelatedLocation",
    "ErrorEntry",
    "Summary",
    "Span",
    "Position",
    "ObjectRef",
    "PolicyInfo",
    "RbacObject",
    "Grant",
    "CanI",
    "SubjectGrants",
    "WhoCan",
    "EffectiveRule",
    "Alert",
    "AuditObjectRef",
    "DetectError",
    "DetectSummary",
    "DetectReport",
    "RempartError",
    "PolicyError",
    "ReviewError",
    "OptionsError",
    "ConfigError",
    "InternalError",
    "LimitError",
    "SourceLocation",
    "policies",
    "explain",
    "__version__",
]

__version__: str = _native.version()


@dataclass(frozen=True)
class SourceLocation:
    """Where an error was found: file, 1-based line and column, and what is wrong there."""

    file: str
    line: int
    column: int
    message: str


class RempartError(Exception):
    """Base class of every error the engine raises."""

    code: str
    locations: List[SourceLocation]

    def __init__(self, message: str, code: str = "internal", locations: Optional[List[SourceLocation]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.locations = locations or []

    @property
    def file(self) -> Optional[str]:
        return self.locations[0].file if self.locations else None

    @property
    def line(self) -> Optional[int]:
        return self.locations[0].line if self.locations else None

    @property
    def column(self) -> Optional[int]:
        return self.locations[0].column if self.locations else None


class PolicyError(RempartError):
    """A policy file has mistakes; ``locations`` lists each with file, line and column."""


class OptionsError(RempartError):
    """The engine options, a path, or the objects given are not usable."""


class ConfigError(OptionsError):
    """A configuration file (``.rempart.yaml``) or exceptions file has mistakes; ``locations``
    lists each with file, line and column."""


class InternalError(RempartError):
    """A bug in the engine (it never takes the interpreter down)."""


class LimitError(RempartError):
    """More policies than ``limits={"maxPolicies": …}`` allows. (An input over
    ``maxInputBytes`` is not an exception: it is an error of the report, and the other
    inputs are scanned, as ``rempart scan`` does.)"""


class ReviewError(RempartError):
    """An ``AdmissionReview`` that cannot be answered (not JSON, not ``admission.k8s.io/v1``, no ``request.uid``); a webhook answers it with HTTP 400."""


_ERRORS = {"policy": PolicyError, "options": OptionsError, "config": ConfigError, "limit": LimitError, "review": ReviewError}


def _raise(error: _native.NativeError) -> RempartError:
    info = json.loads(str(error.args[0]))
    locations = [SourceLocation(**loc) for loc in info.get("sourceLocations", [])]
    cls = _ERRORS.get(info.get("code", ""), InternalError)
    return cls(info.get("message", ""), info.get("code", "internal"), locations)


@dataclass(frozen=True)
class Position:
    line: int
    column: int
    offset: int


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position

    @staticmethod
    def _from(d: Optional[Mapping[str, Any]]) -> Optional["Span"]:
        if d is None:
            return None
        return Span(Position(**d["start"]), Position(**d["end"]))


@dataclass(frozen=True)
class ObjectRef:
    apiVersion: str
    kind: str
    namespace: Optional[str] = None
    name: Optional[str] = None


@dataclass(frozen=True)
class RelatedLocation:
    """Another place that explains a finding (the role rule that grants a right, ...)."""

    file: str
    document: int
    path: str
    span: Span
    message: str


@dataclass(frozen=True)
class Finding:
    """One policy violation; the attributes are the fields of the JSON report."""

    policy: str
    title: str
    severity: str
    category: str
    message: str
    file: str
    document: int
    object: ObjectRef
    path: str
    span: Span
    standards: Dict[str, Any]
    fix: str
    related: List[RelatedLocation] = field(default_factory=list)
    _raw: Dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        copy: Dict[str, Any] = json.loads(json.dumps(self._raw))
        return copy


@dataclass(frozen=True)
class ErrorEntry:
    """An input, or one document of it, that could not be read (or a skipped document)."""

    file: str
    document: Optional[int]
    message: str
    span: Optional[Span]


@dataclass(frozen=True)
class Summary:
    files: int
    documents: int
    findings: int
    errors: int
    skipped: int
    suppressed: int
    baselined: int = 0
    ignored: int = 0
    excepted: int = 0


class Report:
    """What a scan found. Its parts are read from the engine's answer when first used;
    ``to_json()`` gives the CLI's JSON report, byte for byte. ``exit_code`` is what
    ``rempart scan`` would exit with: ``0``, ``1`` (findings at or above ``fail_on``) or ``2``
    (an input could not be read)."""

    __slots__ = ("_text", "_data", "_findings", "_errors", "_notes", "_summary", "exit_code")

    def __init__(self, text: Union[str, bytes], exit_code: int = 0) -> None:
        self._text = text
        self.exit_code = exit_code
        self._data: Optional[Dict[str, Any]] = None
        self._findings: Optional[List[Finding]] = None
        self._errors: Optional[List[ErrorEntry]] = None
        self._notes: Optional[List[ErrorEntry]] = None
        self._summary: Optional[Summary] = None

    @staticmethod
    def _from_json(answer: Tuple[Union[str, bytes], int]) -> "Report":
        return Report(answer[0], answer[1])

    def _parsed(self) -> Dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self._text)
        return self._data

    @property
    def version(self) -> str:
        version: str = self._parsed()["version"]
        return version

    @property
    def findings(self) -> List[Finding]:
        if self._findings is None:
            self._findings = [
                Finding(
                    policy=f["policy"],
                    title=f["title"],
                    severity=f["severity"],
                    category=f["category"],
                    message=f["message"],
                    file=f["file"],
                    document=f["document"],
                    object=ObjectRef(**f["object"]),
                    path=f["path"],
                    span=Span(Position(**f["span"]["start"]), Position(**f["span"]["end"])),
                    standards=f["standards"],
                    fix=f["fix"],
                    related=[
                        RelatedLocation(
                            file=r["file"],
                            document=r["document"],
                            path=r["path"],
                            span=Span(Position(**r["span"]["start"]), Position(**r["span"]["end"])),
                            message=r["message"],
                        )
                        for r in f.get("related", [])
                    ],
                    _raw=f,
                )
                for f in self._parsed()["findings"]
            ]
        return self._findings

    @staticmethod
    def _entries(items: Iterable[Mapping[str, Any]]) -> List[ErrorEntry]:
        return [ErrorEntry(e["file"], e["document"], e["message"], Span._from(e["span"])) for e in items]

    @property
    def errors(self) -> List[ErrorEntry]:
        if self._errors is None:
            self._errors = self._entries(self._parsed()["errors"])
        return self._errors

    @property
    def notes(self) -> List[ErrorEntry]:
        if self._notes is None:
            self._notes = self._entries(self._parsed()["notes"])
        return self._notes

    @property
    def summary(self) -> Summary:
        if self._summary is None:
            self._summary = Summary(**self._parsed()["summary"])
        return self._summary

    def to_json(self) -> str:
        """The JSON report, byte for byte what ``rempart scan --format json`` writes."""
        return json.dumps(self._parsed(), indent=2, ensure_ascii=False)

    def to_dict(self) -> Dict[str, Any]:
        parsed: Dict[str, Any] = json.loads(self._text)
        return parsed

    def __repr__(self) -> str:
        s = self.summary
        return f"Report(findings={s.findings}, errors={s.errors}, documents={s.documents}, files={s.files})"


@dataclass(frozen=True)
class PolicyInfo:
    """A policy's metadata and documentation."""

    id: str
    title: str
    severity: str
    category: str
    standards: Dict[str, Any]
    docs: Dict[str, Any]
    params: List[Dict[str, Any]]
    file: str


@dataclass(frozen=True)
class RbacObject:
    """A binding or role a grant goes through, and where it is written."""

    kind: str
    namespace: Optional[str]
    name: str
    file: str
    line: int
    column: int
    path: str

    @staticmethod
    def _from(d: Mapping[str, Any]) -> "RbacObject":
        return RbacObject(d["kind"], d.get("namespace"), d["name"], d["file"], d["line"], d["column"], d["path"])


@dataclass(frozen=True)
class Grant:
    """One binding + role + rule that grants a request. ``rule`` indexes the ``rules`` of
    ``from_role`` when the bound role aggregates it, else of ``role``."""

    binding: RbacObject
    role: RbacObject
    rule: int
    from_role: Optional[RbacObject]

    @staticmethod
    def _from(d: Mapping[str, Any]) -> "Grant":
        src = d.get("from")
        return Grant(
            RbacObject._from(d["binding"]),
            RbacObject._from(d["role"]),
            d["rule"],
            RbacObject._from(src) if src else None,
        )


@dataclass(frozen=True)
class CanI:
    """The answer to ``can_i``: allowed, and every grant that allows it."""

    allowed: bool
    grants: List[Grant]


@dataclass(frozen=True)
class SubjectGrants:
    """A subject that may make a request, with the grants that allow it."""

    kind: str
    name: str
    namespace: Optional[str]
    via: List[Grant]


@dataclass(frozen=True)
class WhoCan:
    """The answer to ``who_can``."""

    subjects: List[SubjectGrants]


@dataclass(frozen=True)
class EffectiveRule:
    """A rule a user holds, and the grant it comes from."""

    verbs: List[str]
    api_groups: List[str]
    resources: List[str]
    resource_names: List[str]
    non_resource_urls: List[str]
    grant: Grant



@dataclass(frozen=True)
class AuditObjectRef:
    """What an audited request was about (the event's ``objectRef``)."""

    resource: Optional[str] = None
    subresource: Optional[str] = None
    namespace: Optional[str] = None
    name: Optional[str] = None
    apiGroup: Optional[str] = None
    apiVersion: Optional[str] = None


@dataclass(frozen=True)
class Alert:
    """One alert of ``rempart detect``; ``to_dict()`` gives the JSON line the CLI writes
    (``auditID``, ``sourceIPs``, ``objectRef`` under their JSON names)."""

    time: Optional[str]
    rule: str
    title: str
    severity: str
    category: str
    message: str
    audit_id: Optional[str]
    stage: Optional[str]
    user: Optional[str]
    source_ips: List[str]
    verb: Optional[str]
    object_ref: Optional[AuditObjectRef]
    file: str
    line: int
    path: str
    input: str
    standards: Dict[str, Any]
    fix: str
    aggregate: Optional[Dict[str, Any]] = None
    _raw: Dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @staticmethod
    def _from(a: Mapping[str, Any]) -> "Alert":
        ref = a.get("objectRef")
        return Alert(
            time=a.get("time"),
            rule=a["rule"],
            title=a["title"],
            severity=a["severity"],
            category=a["category"],
            message=a["message"],
            audit_id=a.get("auditID"),
            stage=a.get("stage"),
            user=a.get("user"),
            source_ips=list(a.get("sourceIPs", [])),
            verb=a.get("verb"),
            object_ref=AuditObjectRef(**ref) if ref is not None else None,
            file=a["file"],
            line=a["line"],
            path=a["path"],
            input=a["input"],
            standards=a["standards"],
            fix=a["fix"],
            aggregate=a.get("aggregate"),
            _raw=dict(a),
        )

    def to_dict(self) -> Dict[str, Any]:
        copy: Dict[str, Any] = json.loads(json.dumps(self._raw))
        return copy


@dataclass(frozen=True)
class DetectError:
    """A part of an audit log that could not be read as an event (line 0: the whole input)."""

    file: str
    line: int
    message: str


@dataclass(frozen=True)
class DetectSummary:
    files: int
    events: int
    alerts: int
    errors: int
    duplicates: int
    suppressed: int


@dataclass(frozen=True)
class DetectReport:
    """What a detection run found: alerts and errors in input order, and the counts."""

    alerts: List[Alert]
    errors: List[DetectError]
    summary: DetectSummary

    @staticmethod
    def _from_json(text: str) -> "DetectReport":
        d = json.loads(text)
        return DetectReport(
            alerts=[Alert._from(a) for a in d["alerts"]],
            errors=[DetectError(**e) for e in d["errors"]],
            summary=DetectSummary(**d["summary"]),
        )


_log = logging.getLogger("rempart")

PathLike = Union[str, "os.PathLike[str]"]


class Engine:
    """Compiled policies, ready to scan. Build once, share between threads: scans release the GIL.

    ``policies``: extra policy files or directories. ``select``/``ignore``: policy ids, or
    prefixes of whole ``/``-separated parts (``"pod-security"``, ``"pod-security/baseline/*"``);
    a value that matches no policy raises ``OptionsError``. ``params``:
    ``{policy_id: {param: value}}``. ``pod_security_level``: ``"baseline"``,
    ``"restricted"`` (default) or ``"from-namespace"``; ``pod_security_version``: ``"v1.N"`` or
    ``"latest"`` (a newer version than known applies the newest, with a note in ``report.notes``). ``severities``: ``{policy_id: severity}``. ``limits``: input limits
    (``maxDocumentBytes``, ``maxDocuments``, ``maxDepth``, ``maxAliasNodes``, ``maxScalarBytes``,
    ``maxInputBytes``, ``maxPolicies``, ``maxComparisons``). ``admission``: how ``review`` answers,
    as the ``admission:`` section of ``.rempart.yaml`` (``modes``, ``policies``, ``exempt``,
    ``onUpdate``, ``namespaceLevels``).

    The project, as ``rempart scan`` reads it: ``config`` is a configuration file
    (``.rempart.yaml``) whose settings apply under the arguments given here; left out,
    ``scan_paths`` uses the one found from its first path upward (a note in ``report.notes``
    says so), and ``config=False`` uses none. Its exceptions hide the findings they cover until
    they expire (``today``, ``"YYYY-MM-DD"``, sets the date they are checked against).
    ``baseline`` is a baseline file written by ``rempart scan --write-baseline`` (a path, or
    its JSON text): the findings it holds are left out. ``fail_on`` (``"low"`` …
    ``"critical"``, ``"none"``) sets the threshold of ``report.exit_code``.
    """

    def __init__(
        self,
        policies: Optional[Sequence[PathLike]] = None,
        select: Optional[Sequence[str]] = None,
        ignore: Optional[Sequence[str]] = None,
        params: Optional[Mapping[str, Mapping[str, Any]]] = None,
        pod_security_level: Optional[str] = None,
        pod_security_version: Optional[str] = None,
        *,
        builtin: bool = True,
        severities: Optional[Mapping[str, str]] = None,
        limits: Optional[Mapping[str, int]] = None,
        admission: Optional[Mapping[str, Any]] = None,
        config: Union[None, bool, PathLike] = None,
        baseline: Optional[PathLike] = None,
        fail_on: Optional[str] = None,
        today: Optional[str] = None,
    ) -> None:
        options: Dict[str, Any] = {"builtin": builtin}
        if config is None or config is True:
            options["discover"] = True
        elif config is not False:
            options["configFile"] = os.fspath(config)
        if isinstance(baseline, str) and baseline.lstrip().startswith("{"):
            options["baselineText"] = baseline
        elif baseline is not None:
            options["baselineFile"] = os.fspath(baseline)
        if fail_on is not None:
            options["failOn"] = fail_on
        if today is not None:
            options["today"] = today
        if select is not None:
            options["select"] = list(select)
        if ignore is not None:
            options["ignore"] = list(ignore)
        if params is not None:
            options["params"] = {k: dict(v) for k, v in params.items()}
        if pod_security_level is not None:
            options["podSecurityLevel"] = pod_security_level
        if pod_security_version is not None:
            options["podSecurityVersion"] = pod_security_version
        if severities is not None:
            options["severities"] = dict(severities)
        if limits is not None:
            options["limits"] = dict(limits)
        if admission is not None:
            options["admission"] = dict(admission)
        paths = [os.fspath(p) for p in (policies or [])]
        try:
            self._native = _native.Engine(json.dumps(options), paths)
        except _native.NativeError as e:
            raise _raise(e) from None

    def scan_text(self, text: str, filename: str = "<string>") -> Report:
        """Scans YAML or JSON text (any number of documents)."""
        return self.scan_texts([(filename, text)])

    def scan_texts(self, inputs: Sequence[Tuple[str, str]]) -> Report:
        """Scans several texts, given as ``(filename, text)`` pairs, as one set."""
        try:
            return Report._from_json(self._native.scan_texts([(str(n), str(t)) for n, t in inputs]))
        except _native.NativeError as e:
            raise _raise(e) from None

    def scan_paths(self, paths: Union[PathLike, Sequence[PathLike]], jobs: Optional[int] = None) -> Report:
        """Scans files and directories (recursively: .yaml, .yml, .json), ``jobs`` files at a
        time (default: the available cores); the report is the same for any ``jobs``."""
        items: Sequence[PathLike] = [paths] if isinstance(paths, (str, os.PathLike)) else paths
        if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
            raise ValueError(f"jobs must be a positive integer, not {jobs!r}")
        try:
            return Report._from_json(self._native.scan_paths([os.fspath(p) for p in items], jobs))
        except _native.NativeError as e:
            raise _raise(e) from None

    def evaluate(self, obj: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> Report:
        """Evaluates objects already loaded (a dict, or a list of dicts, with the API's camelCase
        field names, e.g. from ``ApiClient().sanitize_for_serialization``). Spans are empty;
        ``path`` points into each object."""
        try:
            text = json.dumps(obj)
        except (TypeError, ValueError) as e:
            raise OptionsError(f"the objects cannot be written as JSON: {e}", "options") from None
        try:
            return Report._from_json(self._native.evaluate_json(text))
        except _native.NativeError as e:
            raise _raise(e) from None

    def _auth(
        self,
        kind: str,
        query: Dict[str, Any],
        texts: Optional[Sequence[Tuple[str, str]]],
        paths: Optional[Union[PathLike, Sequence[PathLike]]],
    ) -> Any:
        items: Sequence[PathLike] = [] if paths is None else ([paths] if isinstance(paths, (str, os.PathLike)) else paths)
        pairs = [(str(n), str(t)) for n, t in (texts or [])]
        try:
            return json.loads(self._native.auth(kind, json.dumps(query), pairs, [os.fspath(p) for p in items]))
        except _native.NativeError as e:
            raise _raise(e) from None

    def can_i(
        self,
        verb: str,
        resource: str,
        *,
        user: str,
        groups: Sequence[str] = (),
        namespace: str = "",
        subresource: str = "",
        api_group: Optional[str] = None,
        texts: Optional[Sequence[Tuple[str, str]]] = None,
        paths: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    ) -> CanI:
        """Whether ``user`` may do ``verb`` on ``resource`` (``TYPE[/NAME]``, ``resource.group``
        or a URL such as ``/healthz``) over the RBAC objects of ``texts`` (``(filename, text)``
        pairs) and ``paths``, as ``rempart auth can-i``; ``namespace=""`` asks cluster-wide."""
        query = {"verb": verb, "resource": resource, "subresource": subresource, "namespace": namespace,
                 "user": user, "groups": list(groups), "apiGroup": api_group}
        d = self._auth("can-i", query, texts, paths)
        return CanI(d["allowed"], [Grant._from(g) for g in d["grants"]])

    def who_can(
        self,
        verb: str,
        resource: str,
        *,
        namespace: str = "",
        subresource: str = "",
        api_group: Optional[str] = None,
        texts: Optional[Sequence[Tuple[str, str]]] = None,
        paths: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    ) -> WhoCan:
        """Every subject that may do ``verb`` on ``resource``, as ``rempart auth who-can``."""
        query = {"verb": verb, "resource": resource, "subresource": subresource, "namespace": namespace,
                 "apiGroup": api_group}
        d = self._auth("who-can", query, texts, paths)
        return WhoCan([
            SubjectGrants(s["kind"], s["name"], s.get("namespace"), [Grant._from(g) for g in s["via"]])
            for s in d["subjects"]
        ])

    def effective_rules(
        self,
        *,
        user: str,
        groups: Sequence[str] = (),
        namespace: str = "",
        texts: Optional[Sequence[Tuple[str, str]]] = None,
        paths: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    ) -> List[EffectiveRule]:
        """The rules ``user`` holds in ``namespace``, as ``rempart auth can-i --list``."""
        query = {"user": user, "groups": list(groups), "namespace": namespace}
        return [
            EffectiveRule(r.get("verbs", []), r.get("apiGroups", []), r.get("resources", []),
                          r.get("resourceNames", []), r.get("nonResourceURLs", []), Grant._from(r))
            for r in self._auth("list", query, texts, paths)
        ]
    def review(self, admission_review: Mapping[str, Any], namespace_labels: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
        """Answers an ``admission.k8s.io/v1`` ``AdmissionReview`` request (a dict) with its response
        (a dict): ``uid``, ``allowed``, ``status`` (403 with every enforced finding), ``warnings``,
        ``auditAnnotations``. ``namespace_labels``: the labels of the object's Namespace, for pods
        judged ``from-namespace``. Raises ``ReviewError`` for a review that cannot be read."""
        try:
            text = json.dumps(admission_review)
        except (TypeError, ValueError) as e:
            raise ReviewError(f"the review cannot be written as JSON: {e}", "review") from None
        labels = None if namespace_labels is None else json.dumps(dict(namespace_labels))
        try:
            answer: Dict[str, Any] = json.loads(self._native.review_json(text, labels))
        except _native.NativeError as e:
            raise _raise(e) from None
        return answer

    def detect_paths(self, paths: Union[PathLike, Sequence[PathLike]], *, input: str = "auto") -> DetectReport:
        """Detects threats in audit logs: files, directories (every file below them), ``.gz``
        files, as one run (a request logged in two files alerts once; windows span files).
        ``input``: ``auto`` (default), ``k8s``, ``gke``, ``aks`` or ``eks``."""
        items: Sequence[PathLike] = [paths] if isinstance(paths, (str, os.PathLike)) else paths
        try:
            return DetectReport._from_json(self._native.detect_paths([os.fspath(p) for p in items], input))
        except _native.NativeError as e:
            raise _raise(e) from None

    def detect_lines(
        self,
        lines: Iterable[Union[str, bytes]],
        *,
        filename: str = "<lines>",
        input: str = "auto",
        on_error: Optional[Callable[[DetectError], None]] = None,
        aggregate: bool = True,
    ) -> Iterator[Alert]:
        """Detects threats in audit events given line by line (JSON lines: ``str`` or
        ``bytes``, with or without their line break), yielding each alert as soon as the
        event that raises it has been read: a notebook or a log shipper can stream. A line that
        is not an event goes to ``on_error`` (default: a warning on the ``rempart`` logger).
        ``aggregate=False``: rules that count events (``aggregate``) alert on every matching
        event instead, uncounted — for runs split over machines, which count the matches in
        one place afterwards (``examples/dask-audit``)."""
        try:
            stream = self._native.detect_stream(filename, input, aggregate)
        except _native.NativeError as e:
            raise _raise(e) from None

        def handle(text: str) -> Iterator[Alert]:
            for d in json.loads(text):
                if d.pop("type") == "alert":
                    yield Alert._from(d)
                else:
                    error = DetectError(**d)
                    if on_error is not None:
                        on_error(error)
                    else:
                        _log.warning("%s:%s: %s", error.file, error.line, error.message)

        for line in lines:
            data = line if isinstance(line, bytes) else str(line).encode("utf-8")
            if not data.endswith(b"\n"):
                data += b"\n"
            try:
                found = stream.feed(data)
            except _native.NativeError as e:
                raise _raise(e) from None
            yield from handle(found)
        try:
            found = stream.finish()
        except _native.NativeError as e:
            raise _raise(e) from None
        yield from handle(found)

    def detect_events(
        self, events: Iterable[Mapping[str, Any]], *, filename: str = "<events>", input: str = "auto"
    ) -> DetectReport:
        """Detects threats in audit events already loaded (dicts, as ``json.loads`` gives them);
        an alert's ``line`` is the 1-based index of its event."""
        try:
            text = "\n".join(json.dumps(e) for e in events)
        except (TypeError, ValueError) as e:
            raise OptionsError(f"the events cannot be written as JSON: {e}", "options") from None
        try:
            return DetectReport._from_json(self._native.detect_text(filename, text, input))
        except _native.NativeError as e:
            raise _raise(e) from None

    def _panic_for_tests(self) -> None:
        """Panics inside the engine, to test that it becomes an exception."""
        try:
            self._native.panic_for_tests()
        except _native.NativeError as e:
            raise _raise(e) from None

    def policies(self) -> List[PolicyInfo]:
        """The selected policies."""
        return [PolicyInfo(**p) for p in json.loads(self._native.policies_json())]

    def explain(self, policy_id: str) -> PolicyInfo:
        """A policy's metadata and documentation; ``OptionsError`` for an unknown id."""
        try:
            return PolicyInfo(**json.loads(self._native.explain_json(policy_id)))
        except _native.NativeError as e:
            raise _raise(e) from None


_default: Optional[Engine] = None


def _builtin() -> Engine:
    global _default
    if _default is None:
        _default = Engine()
    return _default


def policies() -> List[PolicyInfo]:
    """The built-in policies."""
    return _builtin().policies()


def explain(policy_id: str) -> PolicyInfo:
    """A built-in policy's metadata and documentation."""
    return _builtin().explain(policy_id)
