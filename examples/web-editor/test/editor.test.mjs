// The editor in headless Chromium (Debian's, driven by playwright-core): findings appear as
// squiggles and in the list, typing re-evaluates, a click jumps to the line, the level
// selector changes the verdicts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { extname } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../', import.meta.url);
// Screenshots go here (not committed).
const output = new URL('../test-output/', import.meta.url);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
let server;
let browser;
let page;
let url;

before(async () => {
  server = createServer(async (req, res) => {
    const path = new URL(`.${decodeURIComponent(new URL(req.url, 'http://x').pathname)}`, root);
    const file = path.pathname.endsWith('/') ? new URL('index.html', path) : path;
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file.pathname)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  await page.waitForSelector('#findings li', { timeout: 20000 });
  assert.deepEqual(problems, []);
});

after(async () => {
  await browser?.close();
  server?.close();
});

const items = () => page.$$eval('#findings li', (lis) => lis.map((li) => li.textContent));

test('findings of the sample show as squiggles and in the list', async () => {
  const texts = await items();
  assert.ok(texts.some((t) => t.includes('pod-security/baseline/privileged')), texts.join('\n'));
  assert.ok((await page.$$('.cm-lintRange-error')).length > 0, 'squiggles in the editor');
  mkdirSync(output, { recursive: true });
  await page.screenshot({ path: new URL('editor.png', output).pathname });
});

test('hovering a squiggle shows the message', async () => {
  const squiggle = await page.$('.cm-lintRange-error');
  await squiggle.hover();
  await page.waitForSelector('.cm-tooltip-lint', { timeout: 5000 });
  const tip = await page.textContent('.cm-tooltip-lint');
  assert.match(tip, /Fix:/);
});

test('clicking a finding moves the cursor to its line', async () => {
  const li = await page.$('#findings li:has-text("pod-security/baseline/privileged")');
  const where = await li.$eval('.where', (e) => e.textContent);
  await li.click();
  const line = await page.evaluate(() => {
    const view = window.rempartEditor;
    return view.state.doc.lineAt(view.state.selection.main.head).number;
  });
  assert.equal(`${line}`, where.split(':')[0]);
});

// Selects `text` on the line that contains `anchor` and types `replacement` over it.
async function typeOver(anchor, text, replacement) {
  const line = await page.evaluate(
    ({ anchor, text }) => {
      const view = window.rempartEditor;
      const doc = view.state.doc.toString();
      const from = doc.indexOf(anchor) + anchor.indexOf(text);
      view.dispatch({ selection: { anchor: from, head: from + text.length }, scrollIntoView: true });
      view.focus();
      return view.state.doc.lineAt(from).number;
    },
    { anchor, text },
  );
  await page.keyboard.type(replacement, { delay: 20 });
  return line;
}

// The error marker on line `line` (1-based), if any, and its hover text.
async function markerOnLine(line) {
  return page.evaluate((line) => {
    const view = window.rempartEditor;
    const { from, to } = view.state.doc.line(line);
    for (const el of document.querySelectorAll('.cm-lintRange-error')) {
      const pos = view.posAtDOM(el);
      if (pos >= from && pos <= to) return true;
    }
    return false;
  }, line);
}

test('typing `privileged: true` into a container marks that line, and removing it clears the mark', async () => {
  const line = await typeOver('privileged: true', 'true', 'false');
  await page.waitForFunction(() => ![...document.querySelectorAll('#findings li')].some((li) => li.textContent.includes('baseline/privileged')), null, { timeout: 5000 });
  assert.equal(await markerOnLine(line), false);
  await typeOver('privileged: false', 'false', 'true');
  await page.waitForFunction(() => [...document.querySelectorAll('#findings li')].some((li) => li.textContent.includes('baseline/privileged')), null, { timeout: 5000 });
  assert.equal(await markerOnLine(line), true, `a marker on line ${line}`);
  const marker = await page.evaluateHandle((line) => {
    const view = window.rempartEditor;
    const { from, to } = view.state.doc.line(line);
    return [...document.querySelectorAll('.cm-lintRange-error')].find((el) => {
      const pos = view.posAtDOM(el);
      return pos >= from && pos <= to;
    });
  }, line);
  await marker.asElement().hover();
  await page.waitForSelector('.cm-tooltip-lint', { timeout: 5000 });
  assert.match(await page.textContent('.cm-tooltip-lint'), /container `web` runs privileged/);
  mkdirSync(output, { recursive: true });
  await page.screenshot({ path: new URL('editor-privileged.png', output).pathname });
  await typeOver('privileged: true', 'true', 'false');
  await page.waitForFunction(() => ![...document.querySelectorAll('#findings li')].some((li) => li.textContent.includes('baseline/privileged')), null, { timeout: 5000 });
  assert.equal(await markerOnLine(line), false, 'the marker is gone');
  await typeOver('privileged: false', 'false', 'true');
});

test('typing re-evaluates', async () => {
  await page.evaluate(() => {
    const view = window.rempartEditor;
    const doc = view.state.doc.toString();
    const from = doc.indexOf('privileged: true') + 'privileged: '.length;
    view.dispatch({ changes: { from, to: from + 4, insert: 'false' } });
  });
  await page.waitForFunction(() => ![...document.querySelectorAll('#findings li')].some((li) => li.textContent.includes('baseline/privileged')), null, { timeout: 5000 });
  await page.evaluate(() => {
    const view = window.rempartEditor;
    view.dispatch({ changes: { from: 0, insert: 'garbage: [\n---\n' } });
  });
  await page.waitForFunction(() => [...document.querySelectorAll('#findings li')].some((li) => li.dataset.severity === 'error'), null, { timeout: 5000 });
});

test('the level selector changes the verdicts', async () => {
  const restricted = (await items()).filter((t) => t.includes('pod-security/restricted/')).length;
  assert.ok(restricted > 0);
  await page.selectOption('#level', 'baseline');
  await page.waitForFunction(() => ![...document.querySelectorAll('#findings li')].some((li) => li.textContent.includes('pod-security/restricted/')), null, { timeout: 5000 });
  await page.selectOption('#level', 'restricted');
});
