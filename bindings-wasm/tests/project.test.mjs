// The project around the engine, as `rempart scan` has it, without a file system: a
// configuration text with exceptions that expire, a baseline text, and the exit decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, RempartError } from '../pkg/node.js';

const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  hostPID: true\n  containers: [{name: app, image: "shop/web:1.4"}]\n';
const config = `select: [pod-security/baseline]
exceptions:
  - policies: [pod-security/baseline/host-namespaces]
    match: {names: [web]}
    reason: reads the node's process table
    expires: 2027-06-30
`;
const ids = (report) => report.findings.map((f) => f.policy);

test('an exception in force hides its finding; expired, it is reported in the configuration text', () => {
  const before = new Engine({ config, today: '2027-06-30' }).evaluate(pod, { filename: 'web.yaml' });
  assert.deepEqual([ids(before), before.summary.excepted, before.exitCode], [[], 1, 0]);
  const after = new Engine({ config, today: '2027-07-01' }).evaluate(pod, { filename: 'web.yaml' });
  assert.deepEqual(ids(after), ['pod-security/baseline/host-namespaces', 'rempart/exception-expired']);
  const expired = after.findings[1];
  assert.deepEqual([expired.file, expired.editor.startLine, expired.editor.startColumn], ['.rempart.yaml', 6, 14]);
  assert.equal(after.exitCode, 1);
});

test('options override the configuration; failOn sets the exit code', () => {
  const report = new Engine({ config, select: ['images'], failOn: 'none', today: '2027-07-01' }).evaluate(pod, { filename: 'web.yaml' });
  assert.ok(ids(report).every((id) => id.startsWith('images/') || id.startsWith('rempart/')), ids(report).join());
  assert.equal(report.exitCode, 0);
});

test('a baseline text leaves out the findings it holds', () => {
  const baseline = JSON.stringify({
    version: 1,
    findings: [{ fingerprint: 'x', policy: 'p', object: { apiVersion: 'v1', kind: 'Pod' }, path: '/', file: 'web.yaml' }],
  });
  const report = new Engine({ select: ['pod-security/baseline'], baseline }).evaluate(pod, { filename: 'web.yaml' });
  assert.deepEqual(ids(report), ['pod-security/baseline/host-namespaces']);
  assert.ok(report.notes.some((n) => n.file === '<baseline>' && /record it again/.test(n.message)));
  assert.throws(() => new Engine({ baseline: '{"version": 9, "findings": []}' }), /version 9/);
});

test('mistakes in the configuration text have their line and column', () => {
  try {
    new Engine({ config: 'select: [pod-security]\nfailOn: sometimes\n' });
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof RempartError, String(e));
    assert.equal(e.code, 'config');
    assert.deepEqual([e.sourceLocations[0].file, e.sourceLocations[0].line, e.sourceLocations[0].column], ['.rempart.yaml', 2, 9]);
  }
  assert.throws(() => new Engine({ config: { select: [] } }), /`config` must be the text/);
  assert.throws(() => new Engine({ failon: 'high' }), /^RempartError: unknown option `failon`; did you mean `failOn`\?$/);
});
