// Bundles the editor with esbuild into dist/ and puts the engine's WebAssembly beside it.
// Needs the npm package built first (bindings-wasm/build.sh).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const pkg = new URL('../../bindings-wasm/pkg/', import.meta.url);
if (!existsSync(new URL('browser.js', pkg))) {
  console.error('build the engine first: bindings-wasm/build.sh');
  process.exit(2);
}
mkdirSync(new URL('./dist/', import.meta.url), { recursive: true });
await build({
  entryPoints: [new URL('./src/main.js', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  outfile: new URL('./dist/app.js', import.meta.url).pathname,
  loader: { '.yaml': 'text' },
  logLevel: 'warning',
});
copyFileSync(new URL('rempart_wasm_bg.wasm', pkg), new URL('./dist/rempart_wasm_bg.wasm', import.meta.url));
console.log('built examples/web-editor/dist: serve examples/web-editor with any static file server');
