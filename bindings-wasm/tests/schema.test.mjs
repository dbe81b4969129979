// The TypeScript types of the report (js/index.d.ts) have the fields of the published JSON
// Schema (core/schema/report.schema.json), optional exactly where the schema lets them be
// absent: a field added to the report cannot reach one binding and miss another. The only
// fields the schema lacks are the editor's (ranges in UTF-16 units, the exit code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const schema = JSON.parse(readFileSync(new URL('../../core/schema/report.schema.json', import.meta.url), 'utf8'));
const types = readFileSync(new URL('../js/index.d.ts', import.meta.url), 'utf8');
const EDITOR_ONLY = { Finding: ['editor', 'relatedEditor'], ErrorEntry: ['editor'], Report: ['exitCode'] };

// `export interface Name { field?: type; ... }` → {field: optional}
function interfaceFields(name) {
  const body = types.match(new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`));
  assert.ok(body, `index.d.ts has no interface ${name}`);
  const fields = {};
  for (const m of body[1].replace(/\/\*\*[\s\S]*?\*\//g, '').matchAll(/^\s*(\w+)(\??):/gm)) fields[m[1]] = m[2] === '?';
  return fields;
}

const definitions = { ...schema.$defs, Report: schema };
for (const name of ['Position', 'SourceSpan', 'ObjectRef', 'RelatedLocation', 'Finding', 'ErrorEntry', 'Summary', 'Report']) {
  test(`TypeScript ${name} has the schema's fields`, () => {
    const definition = definitions[name];
    const fields = interfaceFields(name);
    for (const extra of EDITOR_ONLY[name] ?? []) delete fields[extra];
    assert.deepEqual(Object.keys(fields).sort(), Object.keys(definition.properties).sort());
    for (const [field, optional] of Object.entries(fields)) {
      assert.equal(optional, !definition.required.includes(field), `${name}.${field}: optional in one and not the other`);
    }
  });
}
