// The editor in headless Chromium (Debian's, driven by playwright-core): findings appear as
// squiggles and in the list, typing re-evaluates, a click jumps to the line, the level
// selector changes the verdicts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { chromium } from 'playwright-core';

const root = new URL('../', import.meta.url);
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
  await page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/rempart-editor.png' });
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
