#!/usr/bin/env python3
"""Scan a folder of manifests in a CI pipeline: print findings as `file:line:col`, write a
Markdown summary for a merge-request comment, and fail on a chosen severity.

    python examples/python-ci/scan.py k8s/ --fail-on high --markdown summary.md
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import List

import rempart

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def markdown(report: rempart.Report, fail_on: str) -> str:
    if not report.findings and not report.errors:
        return f"### Rempart\n\nNo findings in {report.summary.documents} documents of {report.summary.files} files.\n"
    counts = Counter(f.severity for f in report.findings)
    lines: List[str] = [
        "### Rempart",
        "",
        f"{len(report.findings)} findings, {len(report.errors)} errors in {report.summary.documents} documents "
        f"(failing on `{fail_on}` and above).",
        "",
        "| severity | count |",
        "|---|---|",
    ]
    lines += [f"| {s} | {counts[s]} |" for s in reversed(SEVERITIES) if counts[s]]
    lines += ["", "| where | severity | policy | message |", "|---|---|---|---|"]
    for f in sorted(report.findings, key=lambda f: -SEVERITIES.index(f.severity)):
        message = f.message.replace("|", "\\|")
        lines.append(f"| `{f.file}:{f.span.start.line}:{f.span.start.column}` | {f.severity} | `{f.policy}` | {message} |")
    for e in report.errors:
        where = f"{e.file}:{e.span.start.line}" if e.span else e.file
        lines.append(f"| `{where}` | error | | {e.message.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="files or folders to scan")
    parser.add_argument("--fail-on", choices=SEVERITIES[1:], default="high")
    parser.add_argument("--markdown", type=Path, help="write the Markdown summary here")
    parser.add_argument("--level", default="restricted", help="Pod Security level")
    args = parser.parse_args()

    report = rempart.Engine(pod_security_level=args.level).scan_paths(args.paths)
    for f in report.findings:
        print(f"{f.file}:{f.span.start.line}:{f.span.start.column}: {f.severity} {f.policy}: {f.message}")
    for e in report.errors:
        print(f"{e.file}: error: {e.message}", file=sys.stderr)
    summary = markdown(report, args.fail_on)
    if args.markdown:
        args.markdown.write_text(summary)
    else:
        print(summary)
    threshold = SEVERITIES.index(args.fail_on)
    failing = [f for f in report.findings if SEVERITIES.index(f.severity) >= threshold]
    return 1 if failing or report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
