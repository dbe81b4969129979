// The editor: CodeMirror 6 with YAML highlighting; Rempart runs in the page (WebAssembly)
// 50 ms after each keystroke, and its findings become squiggles with hover messages and a
// clickable list.
import { EditorView, basicSetup } from 'codemirror';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter } from '@codemirror/lint';
import { StateEffect } from '@codemirror/state';
import { Engine, version } from '../../../bindings-wasm/pkg/browser.js';
import SAMPLE from '../../manifests/insecure/app.yaml';

const levelSelect = document.getElementById('level');
const versionSelect = document.getElementById('version');
const list = document.getElementById('findings');
const status = document.getElementById('status');

versionSelect.append(new Option('latest', 'latest'));
for (let minor = 37; minor >= 0; minor--) versionSelect.append(new Option(`v1.${minor}`, `v1.${minor}`));

let engine = makeEngine();

function makeEngine() {
  return new Engine({ podSecurityLevel: levelSelect.value, podSecurityVersion: versionSelect.value });
}

// Dispatched when the level or version changes, so that the linter runs again.
const engineChanged = StateEffect.define();

const SEVERITY = { critical: 'error', high: 'error', medium: 'warning', low: 'info', info: 'info' };

function clamp(view, offset) {
  return Math.max(0, Math.min(offset, view.state.doc.length));
}

function showList(view, report, millis) {
  list.replaceChildren();
  const items = [
    ...report.errors.map((e) => ({ severity: 'error', where: e.editor, title: 'error', message: e.message })),
    ...report.findings.map((f) => ({ severity: f.severity, where: f.editor, title: f.policy, message: f.message })),
  ];
  for (const item of items) {
    const li = document.createElement('li');
    li.dataset.severity = item.severity;
    const where = item.where ? `${item.where.startLine}:${item.where.startColumn}` : '';
    li.innerHTML = '<span class="where"></span> <b></b> <span class="message"></span><span class="policy"></span>';
    li.querySelector('.where').textContent = where;
    li.querySelector('b').textContent = item.severity;
    li.querySelector('.message').textContent = item.message;
    li.querySelector('.policy').textContent = item.title;
    li.addEventListener('click', () => {
      if (!item.where) return;
      const anchor = clamp(view, item.where.startOffset);
      view.dispatch({ selection: { anchor, head: clamp(view, item.where.endOffset) }, scrollIntoView: true });
      view.focus();
    });
    list.append(li);
  }
  const s = report.summary;
  status.textContent = `${s.findings} finding(s), ${s.errors} error(s) in ${s.documents} document(s) — ${millis.toFixed(1)} ms (rempart ${version()})`;
}

const rempartLinter = linter(
  (view) => {
    const started = performance.now();
    const report = engine.evaluate(view.state.doc.toString(), { filename: 'manifest.yaml' });
    showList(view, report, performance.now() - started);
    // A finding on a whole map (a missing field's parent) is underlined on its first line only.
    const underline = (from, to) => Math.min(Math.max(to, from + 1), view.state.doc.lineAt(from).to);
    const diagnostics = report.findings.map((f) => ({
      from: clamp(view, f.editor.startOffset),
      to: underline(clamp(view, f.editor.startOffset), clamp(view, f.editor.endOffset)),
      severity: SEVERITY[f.severity] ?? 'info',
      source: f.policy,
      message: `${f.message}\nFix: ${f.fix}`,
    }));
    for (const e of report.errors) {
      if (!e.editor) continue;
      const from = clamp(view, e.editor.startOffset);
      diagnostics.push({ from, to: clamp(view, from + 1), severity: 'error', source: 'yaml', message: e.message });
    }
    return diagnostics;
  },
  {
    delay: 50,
    needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(engineChanged))),
  },
);

const view = new EditorView({
  doc: SAMPLE,
  extensions: [basicSetup, yaml(), lintGutter(), rempartLinter],
  parent: document.getElementById('editor'),
});

for (const select of [levelSelect, versionSelect]) {
  select.addEventListener('change', () => {
    engine = makeEngine();
    view.dispatch({ effects: engineChanged.of(null) });
  });
}

// For the browser tests.
window.rempartEditor = view;
