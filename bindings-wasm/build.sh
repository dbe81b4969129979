#!/usr/bin/env bash
# Builds the npm package into bindings-wasm/pkg: the engine compiled to wasm32, its
# wasm-bindgen glue (--target web, used by both the Node and the browser entry), optimised
# with wasm-opt from the npm `binaryen` package, plus the JS wrapper and TypeScript types.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
cd "$root"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
want=$(grep -m1 '^wasm-bindgen = ' bindings-wasm/Cargo.toml | sed 's/.*"=\{0,1\}\([0-9.]*\)".*/\1/')
if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
  cargo install wasm-bindgen-cli --version "$want"
fi
cargo build --locked --profile wasm --target wasm32-unknown-unknown -p rempart-wasm
rm -rf bindings-wasm/pkg && mkdir -p bindings-wasm/pkg
wasm-bindgen --target web --out-dir bindings-wasm/pkg --out-name rempart_wasm \
  target/wasm32-unknown-unknown/wasm/rempart_wasm.wasm
cd "$here"
[ -x node_modules/.bin/wasm-opt ] || npm ci --no-audit --no-fund --loglevel=error
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals pkg/rempart_wasm_bg.wasm -o pkg/rempart_wasm_bg.wasm
cp js/engine.js js/node.js js/browser.js js/index.d.ts js/package.json pkg/
echo "built bindings-wasm/pkg: $(wc -c < pkg/rempart_wasm_bg.wasm) bytes of wasm ($(gzip -9c pkg/rempart_wasm_bg.wasm | wc -c) gzipped)"
