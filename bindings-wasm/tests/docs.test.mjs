// Every JavaScript example of the READMEs runs against the built package: `import … from
// 'rempart'` is pointed at ../pkg, `text` is a small insecure Pod, and the example's own
// bindings (`findings`, `errors`, `summary`) are checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = pathToFileURL(join(root, 'bindings-wasm/pkg/node.js')).href;
const DOCS = ['README.md', 'bindings-python/README.md', 'policies/README.md'];

test('every JavaScript example of the READMEs runs', async () => {
  let count = 0;
  for (const doc of DOCS) {
    const blocks = [...readFileSync(join(root, doc), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    for (const code of blocks) {
      count += 1;
      const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {hostPID: true, containers: []}\n';
      const body = code.replace(/from 'rempart'/g, `from '${pkg}'`);
      const file = join(mkdtempSync(join(tmpdir(), 'rempart-doc-')), 'example.mjs');
      writeFileSync(
        file,
        `const text = ${JSON.stringify(text)};\n${body}\n` +
          'export const result = { findings, errors, summary };\n',
      );
      const { result } = await import(pathToFileURL(file).href);
      assert.ok(result.findings.some((f) => f.policy === 'pod-security/baseline/host-namespaces'), doc);
      assert.deepEqual(result.errors, []);
      assert.equal(result.summary.documents, 1);
    }
  }
  assert.ok(count >= 1, 'the README has a JavaScript example');
});
