#!/usr/bin/env bash
# Builds the seed corpora from the project's own examples, vectors and policies.
set -euo pipefail
cd "$(dirname "$0")"
root=../..
mkdir -p seeds/parse seeds/evaluate seeds/policy
i=0
for f in "$root"/examples/manifests/*/*.yaml "$root"/../shared/conformance/pod-security/restricted/v1.37/*/*.yaml; do
  [ -f "$f" ] || continue
  cp "$f" "seeds/parse/$i.yaml"; cp "$f" "seeds/evaluate/$i.yaml"; i=$((i + 1))
done
python3 - "$root/core/tests/vectors" seeds <<'PY'
import json, pathlib, sys
vectors, seeds = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for v in sorted(vectors.glob("*.json")):
    for n, inp in enumerate(json.loads(v.read_text())["inputs"]):
        for t in ("parse", "evaluate"):
            (seeds / t / f"{v.stem}-{n}.yaml").write_text(inp["text"])
PY
j=0
for f in $(find "$root/policies" "$root/examples/policies" -name '*.yaml'); do
  cp "$f" "seeds/policy/$j.yaml"; j=$((j + 1))
done
