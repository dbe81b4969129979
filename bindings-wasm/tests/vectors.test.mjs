// The shared vectors of core/tests/vectors through the npm package: identical findings to
// the Rust and Python tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Engine } from '../pkg/node.js';

const dir = new URL('../../core/tests/vectors/', import.meta.url);
const all = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
// `detect-*.json` are audit logs for `detect` (below); `admission-*.json` run in admission.test.mjs.
const vectors = all.filter((f) => !f.startsWith('detect-') && !f.startsWith('admission-'));
const detectVectors = all.filter((f) => f.startsWith('detect-'));

test('the shared vectors are there', () => {
  assert.ok(vectors.length >= 10);
});

// The projection of core/tests/vectors.rs, minus the editor ranges only editors get (of the
// finding and of its related locations).
function project(report) {
  const { version, exitCode, ...rest } = report;
  const strip = ({ editor, ...entry }) => entry;
  return {
    ...rest,
    findings: rest.findings.map(({ title, category, fix, editor, relatedEditor, ...f }) => f),
    errors: rest.errors.map(strip),
    notes: rest.notes.map(strip),
  };
}

for (const name of vectors) {
  test(`vector ${name}`, () => {
    const vector = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    assert.equal(vector.inputs.length, 1, 'the JS API scans one text at a time');
    const [input] = vector.inputs;
    const engine = new Engine({ ...(vector.options ?? {}), ...(vector.project ?? {}) });
    const report = engine.evaluate(input.text, { filename: input.filename });
    assert.deepEqual(project(report), vector.expected);
    // RBAC questions over the same inputs (`rbac-*.json`).
    for (const q of vector.queries ?? []) {
      if (q.kind === 'can-i') assert.deepEqual(engine.canI(q.query, vector.inputs), q.expected);
      if (q.kind === 'who-can') assert.deepEqual(engine.whoCan(q.query, vector.inputs), q.expected);
    }
    if (vector.project) assert.equal(report.exitCode, vector.exitCode);
  });
}

test('the detect vectors are there', () => {
  assert.ok(detectVectors.length >= 2);
});

for (const name of detectVectors) {
  test(`detect vector ${name}`, () => {
    const vector = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    const engine = new Engine(vector.options ?? {});
    const { version, ...report } = engine.detect(vector.input.text, { filename: vector.input.filename, input: vector.input.format ?? 'auto' });
    report.alerts = report.alerts.map(({ title, category, fix, ...a }) => a);
    assert.deepEqual(report, vector.expected);
  });
}

test('evaluateSet finds cross-object findings across texts', () => {
  const vector = JSON.parse(readFileSync(new URL('rbac-findings.json', dir), 'utf8'));
  const [input] = vector.inputs;
  const [rbac, deploy] = input.text.split('---\napiVersion: apps/v1');
  const engine = new Engine(vector.options ?? {});
  const report = engine.evaluateSet([{ filename: 'rbac.yaml', text: rbac }, { filename: 'deploy.yaml', text: 'apiVersion: apps/v1' + deploy }]);
  const workload = report.findings.find((f) => f.policy === 'rbac/workload-privileged-account');
  assert.equal(workload.file, 'deploy.yaml');
  assert.equal(workload.related[0].file, 'rbac.yaml');
});
