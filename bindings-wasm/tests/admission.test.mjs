// The shared admission vectors (core/tests/vectors/admission-*.json) through the npm
// package: identical answers to the Rust and Python tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Engine, RempartError } from '../pkg/node.js';

const dir = new URL('../../core/tests/vectors/', import.meta.url);
const vectors = readdirSync(dir).filter((f) => f.startsWith('admission-') && f.endsWith('.json')).sort();

test('the admission vectors are there', () => {
  assert.ok(vectors.length >= 15);
});

for (const name of vectors) {
  test(`admission vector ${name}`, () => {
    const vector = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
    const engine = new Engine(vector.options ?? {});
    const options = vector.namespaceLabels ? { namespaceLabels: vector.namespaceLabels } : {};
    if (vector.expected.error) {
      assert.throws(() => engine.review(vector.review, options), (e) => {
        assert.ok(e instanceof RempartError);
        assert.equal(e.code, vector.expected.error.code);
        assert.equal(e.message, vector.expected.error.message);
        return true;
      });
    } else {
      assert.deepEqual(engine.review(vector.review, options), vector.expected);
      // The JSON text gives the same answer as the object.
      assert.deepEqual(engine.review(JSON.stringify(vector.review), options), vector.expected);
    }
  });
}
