// parity.html as a person reads it, in Debian's chromium driven by playwright-core: the report
// loads from disk with no console error and fetches nothing; the stamp, the totals and the
// planted contradiction are on top; the text filter hides exactly the rows that do not match;
// opening a cell shows its scenarios with the failing one's message and a link to its source;
// a column heading sorts; the print style hides the controls and prints the contradicted detail.
//
// Environment: PARITY_HTML (the report), PLAYWRIGHT_DIR (where setup.sh installed
// playwright-core), SCREENSHOT (optional: where to save a picture of the opened detail),
// COLUMNS_WANTED (the backend columns, in order, space-separated), PARTIAL_ROW and
// PARTIAL_VERDICT (optional: a row that one backend refuses, and its status: it is among the
// rows whose backends differ, and first when sorted by that backend's column).

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { PARITY_HTML: report, PLAYWRIGHT_DIR: pwDir, SCREENSHOT: screenshot, COLUMNS_WANTED: columnsWanted,
  PARTIAL_ROW: partialRow, PARTIAL_VERDICT: partialVerdict } = process.env;
if (!report || !pwDir || !columnsWanted) {
  console.error('parity_report.mjs needs PARITY_HTML, PLAYWRIGHT_DIR and COLUMNS_WANTED');
  process.exit(2);
}
const { chromium } = createRequire(join(pwDir, 'package.json'))('playwright-core');

const problems = [];
let currentStep = 'start';
async function step(name, fn) {
  currentStep = name;
  await fn();
  console.log(`ok   ${name}`);
}
function check(condition, message) {
  if (!condition) throw new Error(message);
}

const profile = mkdtempSync(join(tmpdir(), 'parity-report-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: false,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1360, height: 940 },
});
context.setDefaultTimeout(10000);

const url = pathToFileURL(report).href;
let failed = false;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error during "${currentStep}": ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error during "${currentStep}": ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`the report fetched ${r.url()} during "${currentStep}": it must be self-contained`);
  });

  const visibleRows = () => page.$$eval('#matrix tbody.feature', (bodies) =>
    bodies.filter((b) => !b.hidden && b.offsetParent !== null).map((b) => b.id));
  const allRows = await (async () => {
    await page.goto(url);
    return page.$$eval('#matrix tbody.feature', (bodies) => bodies.map((b) => b.id));
  })();

  await step('the report loads with its stamp, totals and the planted contradiction on top', async () => {
    check(allRows.length > 10, `only ${allRows.length} rows`);
    check((await visibleRows()).length === allRows.length, 'not every row is shown at first');
    check(/^([0-9a-f]{12}|unknown)$/.test(await page.textContent('#commit')), 'no commit in the stamp');
    check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(await page.textContent('#verified')), 'no time in the stamp');
    const top = await page.textContent('#contradictions');
    check(top.includes('workspace_stop/StopIsIdempotent on docker') && top.includes('planted: the container is still there'),
      `the contradiction is not listed on top: ${top}`);
    check((await page.textContent('#totals-backends')).includes('docker'), 'no totals per backend');
    check((await page.textContent('#totals-verdicts')).includes('parity'), 'no totals per verdict');
    const status = await page.textContent('#f-workspace_stop tr.row td:nth-child(3)');
    check(status.includes('✗') && status.includes('contradicted'), `the row says "${status}", not a symbol and a word`);
  });

  const columns = columnsWanted.split(' ');
  await step(`a column per backend: ${columnsWanted}`, async () => {
    const heads = await page.$$eval('#matrix > thead > tr > th', (ths) => ths.map((th) => th.textContent.trim()));
    check(JSON.stringify(heads.slice(3)) === JSON.stringify(columns), `the backend columns are ${heads.slice(3)}`);
    const cells = await page.$$eval('#f-workspace_stop tr.row button.open[data-backend]:not(.all)',
      (bs) => bs.map((b) => b.dataset.backend));
    check(JSON.stringify(cells) === JSON.stringify(columns), `a row's cells are ${cells}`);
    const totals = await page.$$eval('#totals-backends tbody th', (ths) => ths.map((th) => th.textContent));
    check(JSON.stringify(totals) === JSON.stringify(columns), `the totals per backend are ${totals}`);
  });

  if (partialRow) {
    const backend = columns.find((c) => partialVerdict.endsWith(c) || partialVerdict.includes(`${c}-only`));
    await step(`${partialRow} says "${partialVerdict}", differs, and sorts first by ${backend}`, async () => {
      const status = await page.textContent(`#${partialRow} tr.row td:nth-child(3)`);
      check(status === partialVerdict, `its status is "${status}"`);
      check((await page.textContent('#totals-verdicts')).includes(partialVerdict), 'its verdict has no total');
      check((await page.textContent('.legend')).includes(partialVerdict), 'its verdict is not in the legend');
      await page.check('#differ');
      const shown = await visibleRows();
      check(shown.includes(partialRow), 'it is hidden among the rows whose backends differ');
      check(shown.length < allRows.length, 'every row differs');
      await page.uncheck('#differ');
      const cell = page.locator(`#${partialRow} button.open[data-backend="${backend}"]`);
      check((await cell.textContent()).startsWith('⊘ unsupported, as declared'), `the ${backend} cell says otherwise`);
      await page.click(`#matrix thead th:nth-child(${4 + columns.indexOf(backend)}) button`);
      check((await visibleRows())[0] === partialRow, `sorting by ${backend} does not put it first`);
    });
  }

  await step('the filter hides exactly the rows that do not match', async () => {
    await page.fill('#filter', 'workspace_stop');
    const shown = await visibleRows();
    check(shown.includes('f-workspace_stop'), 'the matching row is hidden');
    check(shown.length < allRows.length, 'the filter hid nothing');
    const texts = await page.$$eval('#matrix tbody.feature', (bodies) =>
      bodies.map((b) => ({ id: b.id, hidden: b.hidden, text: b.textContent.toLowerCase() })));
    for (const t of texts)
      check(t.hidden !== t.text.includes('workspace_stop'), `${t.id}: hidden=${t.hidden} does not follow the match`);
    check((await page.textContent('#shown')) === `${shown.length} of ${allRows.length} rows shown`, 'the count is wrong');
    await page.fill('#filter', 'no row says this');
    check((await visibleRows()).length === 0, 'a filter matching nothing leaves rows');
    await page.fill('#filter', '');
    check((await visibleRows()).length === allRows.length, 'clearing the filter does not bring every row back');
    await page.check('#contradicted-only');
    check(JSON.stringify(await visibleRows()) === '["f-workspace_stop"]', 'only contradicted rows shows others');
    await page.uncheck('#contradicted-only');
  });

  await step("opening a cell shows its scenarios, the failing one's message and a link to its source", async () => {
    const detail = page.locator('#d-workspace_stop');
    check(!(await detail.isVisible()), 'the detail is open before any click');
    const cell = page.locator('#f-workspace_stop button.open[data-backend="docker"]');
    check((await cell.textContent()).startsWith('✗ contradicted'), 'the docker cell does not say contradicted');
    await cell.click();
    await detail.waitFor({ state: 'visible' });
    check((await cell.getAttribute('aria-expanded')) === 'true', 'the cell is not marked expanded');
    const docker = detail.locator('section.backend[data-backend="docker"]');
    check(await docker.isVisible(), 'the docker section is hidden');
    check(!(await detail.locator('section.backend[data-backend="controlplane"]').isVisible()),
      'the other backends are shown for one cell');
    const text = await docker.textContent();
    for (const want of ['StopIsIdempotent', 'planted: the container is still there after stop', '✗ contradicts', 'fail'])
      check(text.includes(want), `the detail does not show "${want}": ${text}`);
    const href = await docker.locator('a', { hasText: 'StopIsIdempotent' }).getAttribute('href');
    check(/^https:\/\/example\.test\/src\/contract\/.*\.cpp#L\d+$/.test(href), `the scenario's link is ${href}`);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: false });
    await cell.click();
    await detail.waitFor({ state: 'hidden' });
  });

  await step('a column heading sorts the rows, both ways', async () => {
    await page.click('#matrix thead th:nth-child(3) button');
    check((await visibleRows())[0] === 'f-workspace_stop', 'sorting by status does not put the contradiction first');
    check((await page.getAttribute('#matrix thead th:nth-child(3)', 'aria-sort')) === 'ascending', 'no aria-sort');
    await page.click('#matrix thead th:nth-child(3) button');
    check((await visibleRows()).at(-1) === 'f-workspace_stop', 'descending does not put the contradiction last');
    await page.click('#matrix thead th:nth-child(1) button');
    const titles = await page.$$eval('#matrix tbody.feature tr.row td:first-child', (tds) => tds.map((t) => t.dataset.sort));
    check(titles.every((t, i) => i === 0 || titles[i - 1].localeCompare(t) <= 0), 'sorting by feature is not in order');
    check((await page.locator('#matrix tbody.feature tr.detail').count()) === allRows.length, 'details lost their rows');
  });

  await step('the print style hides the controls and prints the contradicted detail', async () => {
    await page.emulateMedia({ media: 'print' });
    check(!(await page.locator('.controls').isVisible()), 'the filter is printed');
    check(await page.locator('#d-workspace_stop').isVisible(), 'the contradicted detail is not printed');
    check(await page.locator('#d-workspace_stop section.backend[data-backend="controlplane"]').isVisible(),
      'the printed detail does not show every backend');
    await page.emulateMedia({ media: 'screen' });
  });

  currentStep = 'end';
  if (problems.length) throw new Error('the page reported problems');
  console.log('ok   no console errors, page errors or requests');
} catch (e) {
  failed = true;
  console.error(`FAIL ${currentStep}: ${e.message}`);
  if (problems.length) console.error(`problems:\n  ${problems.join('\n  ')}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
