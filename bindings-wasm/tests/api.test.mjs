import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Engine, RempartError, version } from '../pkg/node.js';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: x:1, securityContext: {privileged: true}}\n';

test('editor ranges count UTF-16 code units', () => {
  // "😀" is one Unicode scalar but two UTF-16 units: columns differ after it.
  const text = POD.replace('metadata: {name: p}', 'metadata: {name: p, annotations: {a: "😀"}}').replace('{name: a, image', '{name: "😀", image');
  const f = new Engine().evaluate(text).findings.find((x) => x.policy === 'pod-security/baseline/privileged');
  const line = text.split('\n')[5];
  assert.equal(f.span.start.column, [...line.slice(0, line.indexOf('true'))].length + 1);
  assert.equal(f.editor.startColumn, line.indexOf('true') + 1);
  assert.equal(f.editor.startColumn, f.span.start.column + 1);
  assert.equal(text.slice(f.editor.startOffset, f.editor.endOffset), 'true');
});

test('invalid options and policies throw RempartError with code and locations', () => {
  assert.throws(() => new Engine({ podSecurityLevel: 'strict' }), (e) => e instanceof RempartError && e.code === 'options');
  const broken = 'id: acme/x\ntitle: t\nseverity: high\ndocs: {why: w, fix: f}\nmatch: {pods: true}\nrules: [{deny: {path: spec.x, equalz: 1}, message: m}]\ntests: {pass: [{kind: Pod}], fail: [{kind: Pod}]}\n';
  assert.throws(
    () => new Engine({ policies: [broken] }),
    (e) => e.code === 'policy' && e.sourceLocations[0].line === 6 && /did you mean `equals`/.test(e.sourceLocations[0].message),
  );
  assert.throws(() => new Engine().explain('nope'), (e) => e.code === 'options');
});

test('a panic becomes an error and the engine stays usable', () => {
  const engine = new Engine();
  const before = engine.evaluate(POD);
  assert.throws(() => engine._panicForTests(), (e) => e instanceof RempartError && e.code === 'internal' && /deliberate panic/.test(e.message));
  assert.deepEqual(engine.evaluate(POD), before);
  assert.throws(() => engine._panicForTests(), (e) => e.code === 'internal');
  assert.deepEqual(engine.evaluate(POD), before);
});

test('a text over limits.maxInputBytes is an error of the report, counted in UTF-8 bytes', () => {
  const engine = new Engine({ limits: { maxInputBytes: 1000 } });
  for (const text of ['a'.repeat(2000), 'é'.repeat(600)]) {
    const report = engine.evaluate(text, { filename: 'big.yaml' });
    assert.deepEqual(report.errors.map((e) => [e.file, e.message]), [['big.yaml', 'the input is over the limit of 1000 bytes; it was not read (raise `maxInputBytes`)']]);
    assert.deepEqual([report.summary.files, report.summary.errors, report.exitCode], [1, 1, 2]);
  }
  assert.ok(!engine.evaluate('é'.repeat(400)).errors.some((e) => /over the limit/.test(e.message)), '800 bytes fit');
  assert.equal(engine.evaluate('a: 1\n').summary.documents, 1);
  assert.throws(() => new Engine({ maxInputBytes: 1000 }), /unknown option `maxInputBytes`/);
  assert.throws(() => new Engine({ limits: { maxPolicies: 5 } }), (e) => e.code === 'limit');
});

test('policies, explain and version', () => {
  const engine = new Engine({ select: ['pod-security'] });
  assert.ok(engine.policies().every((p) => p.id.startsWith('pod-security')));
  assert.equal(engine.explain('pod-security/baseline/privileged').severity, 'critical');
  assert.match(version(), /^\d+\.\d+\.\d+$/);
});

test('the same findings as the Rust CLI for the examples', () => {
  const bin = process.env.REMPART_BIN;
  assert.ok(bin, 'REMPART_BIN names the Rust CLI');
  const file = new URL('../../examples/manifests/insecure/app.yaml', import.meta.url);
  const cli = JSON.parse(execFileSync(bin, ['scan', '--format', 'json', '--fail-on', 'none', file.pathname]));
  const text = execFileSync('cat', [file.pathname], { encoding: 'utf8' });
  const js = new Engine().evaluate(text, { filename: file.pathname });
  assert.deepEqual(js.findings.map(({ editor, ...f }) => f), cli.findings);
  assert.deepEqual(js.summary, cli.summary);
});

test('TypeScript types check', () => {
  const tsc = new URL('../node_modules/.bin/tsc', import.meta.url).pathname;
  const usage = new URL('./types.ts', import.meta.url).pathname;
  execFileSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', usage], { stdio: 'pipe' });
  const bad = new URL('./types-bad.ts', import.meta.url).pathname;
  assert.throws(() => execFileSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', bad], { stdio: 'pipe' }));
});
