"""Threat detection over a directory of Kubernetes audit logs with Dask.

    python detect_audit.py LOGS/ --out alerts.parquet                 # a local cluster
    python detect_audit.py LOGS/ --out alerts.jsonl --scheduler tcp://scheduler:8786

Each log file is one partition of a Dask bag; each worker builds one ``rempart.Engine`` (the
policies compiled once per process) and judges every event of its files with every detection
rule. Rules that count events across many of them (``aggregate``: bulk Secret reads, bursts
of refusals) must see all the matching events of a key, whichever file they are in: in the
partitions they run with ``aggregate=False`` and give every match, uncounted; the partitions
hand back only the events that matched some rule (a small part of the log); the driver orders
those by time and runs the complete detector over them once. Events that match no rule change
no state, so the alerts are those of one detector over the whole log read in time order: one
alert per rule per request across files, windows across files.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

import dask.bag as db
import pandas as pd
import rempart

_ENGINE: Optional[rempart.Engine] = None
_ENGINE_KEY: Optional[str] = None


def engine(options: Dict[str, Any]) -> rempart.Engine:
    """One engine per worker, built on first use and kept on the worker for every partition
    (the policies are compiled once per worker; an engine is shared by its threads)."""
    global _ENGINE, _ENGINE_KEY
    key = json.dumps(options, sort_keys=True)
    try:
        from dask.distributed import get_worker

        holder: Any = get_worker()
    except (ImportError, ValueError):
        holder = None
    if holder is not None:
        cached = getattr(holder, "_rempart_engine", None)
        if cached is None or cached[0] != key:
            cached = (key, rempart.Engine(**options))
            holder._rempart_engine = cached
        return cached[1]
    if _ENGINE is None or _ENGINE_KEY != key:
        _ENGINE = rempart.Engine(**options)
        _ENGINE_KEY = key
    return _ENGINE


def log_files(root: str) -> List[str]:
    """Every file below ``root`` (hidden names left out), in name order: one partition each."""
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(os.path.join(directory, f) for f in sorted(files) if not f.startswith("."))
    return found


def _lines(path: str) -> Iterator[bytes]:
    import gzip

    with open(path, "rb") as raw:
        head = raw.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(path, "rb") as f:  # type: ignore[operator]
        yield from f


def matches_of_file(path: str, options: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The events of one file that match some rule, with where they are and when."""
    eng = engine(options)
    out: List[Dict[str, Any]] = []
    errors: List[Dict[str, Any]] = []
    current: Dict[int, bytes] = {}

    def numbered() -> Iterator[bytes]:
        for n, line in enumerate(_lines(path), start=1):
            current.clear()
            current[n] = line
            yield line

    seen_lines = set()
    for alert in eng.detect_lines(numbered(), filename=path, aggregate=False, on_error=lambda e: errors.append(e.__dict__)):
        # An alert is yielded right after the line that raised it was read.
        text = current.get(alert.line)
        if text is None or alert.line in seen_lines:
            continue
        seen_lines.add(alert.line)
        try:
            event = json.loads(text)
        except ValueError:
            continue
        # A cloud record holds its event: its time is read from the event where it can be.
        time = event.get("requestReceivedTimestamp") or event.get("stageTimestamp") or alert.time or ""
        out.append({"time": time, "file": path, "line": alert.line, "text": text.decode("utf-8", "replace").rstrip("\n")})
    for e in errors:
        out.append({"error": e})
    return out


def detect(files: Sequence[str], options: Optional[Dict[str, Any]] = None, npartitions: Optional[int] = None) -> pd.DataFrame:
    """Alerts of the whole set of files, as a DataFrame (one row per alert)."""
    options = options or {}
    # The partition function travels by value: workers need rempart installed, not this file.
    import sys

    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    bag = db.from_sequence(list(files), npartitions=npartitions or max(1, len(files)))
    found = bag.map(matches_of_file, options).flatten().compute()
    errors = [r["error"] for r in found if "error" in r]
    matches = sorted((r for r in found if "error" not in r), key=lambda r: (r["time"], r["file"], r["line"]))
    eng = engine(options)
    rows: List[Dict[str, Any]] = []
    for alert in eng.detect_lines((m["text"] for m in matches), filename="<merged>", on_error=lambda e: errors.append(e.__dict__)):
        where = matches[alert.line - 1]
        row = alert.to_dict()
        row["file"], row["line"] = where["file"], where["line"]
        rows.append(row)
    columns = ["time", "rule", "severity", "message", "auditID", "user", "sourceIPs", "verb", "objectRef", "file", "line", "path", "input", "standards", "aggregate"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs["errors"] = errors
    return frame


def write(frame: pd.DataFrame, out: str) -> None:
    """Parquet (nested fields as JSON text) for ``.parquet``, else JSON lines."""
    if out.endswith(".parquet"):
        flat = frame.copy()
        for column in ("sourceIPs", "objectRef", "standards", "aggregate"):
            flat[column] = flat[column].map(lambda v: None if v is None else json.dumps(v))
        flat.to_parquet(out, index=False)
    else:
        frame.to_json(out, orient="records", lines=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("logs", help="a directory of audit log files (.gz too)")
    parser.add_argument("--out", required=True, help="alerts.parquet or alerts.jsonl")
    parser.add_argument("--scheduler", help="address of a Dask scheduler (default: a local cluster)")
    parser.add_argument("--workers", type=int, default=2, help="workers of the local cluster")
    parser.add_argument("--select", action="append", help="rule ids to run (repeatable)")
    args = parser.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    cluster = None if args.scheduler else LocalCluster(n_workers=args.workers, threads_per_worker=1)
    with Client(args.scheduler or cluster):
        options = {"select": args.select} if args.select else {}
        frame = detect(log_files(args.logs), options)
    if cluster is not None:
        cluster.close()
    write(frame, args.out)
    for e in frame.attrs["errors"]:
        print(f"{e['file']}:{e['line']}: {e['message']}")
    print(f"{len(frame)} alert(s) from {len(log_files(args.logs))} file(s) written to {args.out}")
    return 2 if frame.attrs["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
