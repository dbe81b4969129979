// Option mistakes name the option and what it accepts (no JSON positions), and a `select`
// or `ignore` value that matches no policy is an error, not an engine with no policies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, RempartError } from '../pkg/node.js';

function error(options) {
  try {
    new Engine(options);
  } catch (e) {
    assert.ok(e instanceof RempartError && e.code === 'options', String(e));
    assert.doesNotMatch(e.message, /line \d+ column \d+/);
    return e.message;
  }
  assert.fail(`no error for ${JSON.stringify(options)}`);
}

test('option mistakes name the option and the accepted values', () => {
  assert.equal(
    error({ podSecurityLevel: 'bogus' }),
    'option `podSecurityLevel`: `bogus` is not one of `baseline`, `restricted`, `from-namespace`',
  );
  assert.equal(error({ limits: { maxDepth: NaN } }), 'option `limits.maxDepth`: null is not a whole number of 0 or more');
  assert.match(error({ selekt: ['images'] }), /^unknown option `selekt`; did you mean `select`\?/);
  assert.match(error({ severities: { 'images/latest-tag': 'urgent' } }), /`urgent` for `images\/latest-tag` is not one of `info`/);
});

test('select and ignore values that match no policy are errors with a suggestion', () => {
  assert.match(error({ select: ['nope'] }), /^option `select`: `nope` matches no policy/);
  assert.match(error({ ignore: ['workload/read-only'] }), /did you mean `workload\/read-only-root-filesystem`\?/);
  assert.match(error({ params: { 'pod-security/namespace-enforce-level': { bogus: 1 } } }), /has no parameter `bogus` \(it has `exempt`\)/);
  assert.ok(new Engine({ select: ['pod-security/baseline/*'] }).policies().every((p) => p.id.startsWith('pod-security/baseline/')));
});

test('a version newer than known is a note in the report', () => {
  const { notes } = new Engine({ podSecurityVersion: 'v1.99' }).evaluate('a: 1\n', { filename: 'a.yaml' });
  assert.ok(notes.some((n) => /`v1\.99` is newer than v1\.\d+/.test(n.message)), JSON.stringify(notes));
});
