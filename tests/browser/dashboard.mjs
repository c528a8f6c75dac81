// The dashboard as a person uses it, in Debian's chromium driven by playwright-core: sign in
// with the admin token, see the tree, create a workspace that comes online live over /ws, chat
// with its agent (workspace-agent answers with an echo), read its activity and boot log,
// restart and delete it, read the parity matrix. Any console error, page error or failed
// request fails the run, as does any step that does not happen in time.
//
// Environment: DASHBOARD_URL (the server's base URL), ADMIN_TOKEN, PLAYWRIGHT_DIR (where
// setup.sh installed playwright-core), SCREENSHOT (where to save the dashboard's picture).

import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { DASHBOARD_URL: base, ADMIN_TOKEN: token, PLAYWRIGHT_DIR: pwDir, SCREENSHOT: screenshot } = process.env;
if (!base || !token || !pwDir) {
  console.error('dashboard.mjs needs DASHBOARD_URL, ADMIN_TOKEN and PLAYWRIGHT_DIR');
  process.exit(2);
}
const { chromium } = createRequire(join(pwDir, 'package.json'))('playwright-core');

const problems = [];
let currentStep = 'start';

async function step(name, fn) {
  currentStep = name;
  const started = Date.now();
  await fn();
  console.log(`ok   ${name} (${Date.now() - started} ms)`);
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function api(method, path, body) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  check(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  chromiumSandbox: false,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 1360, height: 940 },
});
context.setDefaultTimeout(20000);

let failed = false;
let page = null;
try {
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error during "${currentStep}": ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`page error during "${currentStep}": ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed during "${currentStep}": ${r.url()} ${r.failure()?.errorText}`));
  page.on('dialog', (d) => d.accept());
  const frames = []; // live events the page received over /ws
  page.on('websocket', (socket) => {
    socket.on('framereceived', (f) => {
      try {
        frames.push(JSON.parse(f.payload));
      } catch {
        problems.push(`a /ws frame that is not JSON: ${f.payload}`);
      }
    });
  });

  let lead = '';
  await step('a root workspace exists before the page opens', async () => {
    lead = (await api('POST', '/workspaces', { name: 'team-lead', role: 'coordinates', external: true })).id;
  });

  await step('the page loads and asks for the admin token', async () => {
    const res = await page.goto(base);
    check(res.status() === 200, `GET / answered ${res.status()}`);
    check((await page.title()) === 'workspace-server', `title: ${await page.title()}`);
    await page.getByLabel('Admin token').waitFor();
  });

  await step('a wrong token is refused and nothing is kept', async () => {
    const other = await context.newPage(); // its own session storage; its console is not watched
    await other.goto(base);
    await other.getByLabel('Admin token').fill('not-the-token');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByText('The server does not accept that token.').waitFor();
    check(await other.locator('#workspaces').isHidden(), 'the workspaces show without a valid token');
    await other.close();
  });

  await step('the token (typed, Enter) shows the tree and connects the live stream', async () => {
    await page.getByLabel('Admin token').fill(token);
    await page.getByLabel('Admin token').press('Enter');
    await page.locator(`#tree button[data-id="${lead}"]`).waitFor();
    await page.locator('#live[data-state="connected"]').waitFor();
    const listed = (await api('GET', '/workspaces')).length;
    const shown = await page.locator('#tree button').count();
    check(shown === listed, `the tree shows ${shown} workspaces, the server lists ${listed}`);
  });

  let id = '';
  await step('a workspace created through the page shows up under its parent', async () => {
    await page.getByLabel('Name').fill('browser-echo');
    await page.getByLabel('Role').fill('echoes');
    await page.getByLabel('Template').selectOption('default'); // listed from GET /templates
    await page.getByLabel('Parent').selectOption(lead);
    await page.getByRole('button', { name: 'Create' }).click();
    const node = page.locator('#tree button[aria-current="true"]', { hasText: 'browser-echo' });
    await node.waitFor();
    id = await node.getAttribute('data-id');
    await page.locator(`#tree li[data-id="${lead}"] > ul > li[data-id="${id}"]`).waitFor();
    check((await page.locator('#ws-name').textContent()) === 'browser-echo', 'the new workspace is not selected');
  });

  await step('it comes online, live over /ws', async () => {
    await page.locator(`#tree button[data-id="${id}"] [data-status="online"]`).waitFor({ timeout: 60000 });
    check(
      frames.some((f) => f.event === 'WORKSPACE_ONLINE' && f.workspace_id === id),
      'the page showed online without a WORKSPACE_ONLINE frame on /ws',
    );
    await page.locator('#events code', { hasText: 'WORKSPACE_ONLINE' }).waitFor();
  });

  await step('a chat message gets the agent\'s echo', async () => {
    await page.getByLabel('Message to the agent').fill('hello from the browser');
    await page.getByLabel('Message to the agent').press('Enter');
    await page.locator('#chat-log .said-agent', { hasText: 'echo: hello from the browser' }).waitFor({ timeout: 30000 });
  });

  await step('the activity shows the delivery', async () => {
    await page.locator('#activity tr', { hasText: 'a2a_receive' }).first().waitFor();
  });

  await step('the boot log opens from the keyboard', async () => {
    await page.locator('#boot-log summary').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => {
      const t = document.getElementById('boot-log-output').textContent;
      return t && t !== 'Loading…';
    });
    const text = await page.locator('#boot-log-output').textContent();
    check(!text.startsWith('No boot log'), `boot log: ${text}`);
  });

  if (screenshot) {
    await step('screenshot', async () => {
      await page.evaluate(() => document.activeElement?.blur());
      await page.screenshot({ path: screenshot });
    });
  }

  await step('restart takes it through provisioning back online', async () => {
    const before = frames.length;
    await page.getByRole('button', { name: 'Restart' }).click();
    await page.locator('#ws-message', { hasText: 'is restarting' }).waitFor();
    const sawProvisioning = () => frames.slice(before).some((f) => f.event === 'WORKSPACE_PROVISIONING' && f.workspace_id === id);
    for (let i = 0; i < 200 && !sawProvisioning(); i++) await page.waitForTimeout(100);
    check(sawProvisioning(), 'no WORKSPACE_PROVISIONING after the restart');
    await page.locator(`#tree button[data-id="${id}"] [data-status="online"]`).waitFor({ timeout: 60000 });
  });

  await step('the parity matrix renders as tables', async () => {
    await page.getByRole('link', { name: 'Backend parity' }).click();
    await page.locator('#parity table').first().waitFor();
    const rows = await page.locator('#parity tbody tr').count();
    check(rows >= 20, `only ${rows} parity rows`);
    const create = page.locator('#parity tr[data-feature="workspace_create"]');
    check((await create.locator('.verdict').textContent()) === 'parity', 'workspace_create is not shown at parity');
    check(await page.locator('#workspaces').isHidden(), 'the workspaces still show on the parity page');
    await page.getByRole('link', { name: 'Workspaces' }).click();
    await page.locator(`#tree button[data-id="${id}"]`).waitFor();
  });

  await step('delete removes it from the tree', async () => {
    await page.locator(`#tree button[data-id="${id}"]`).click();
    const deleted = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().endsWith(id));
    await page.getByRole('button', { name: 'Delete' }).click();
    check((await deleted).status() === 200, 'DELETE did not answer 200');
    await page.locator(`#tree button[data-id="${id}"]`).waitFor({ state: 'detached' });
    check(frames.some((f) => f.event === 'WORKSPACE_REMOVED' && f.workspace_id === id), 'no WORKSPACE_REMOVED frame');
    await page.locator('#detail-empty').waitFor();
  });

  await step('a reload keeps the session (session storage) and shows the tree again', async () => {
    await page.reload();
    await page.locator(`#tree button[data-id="${lead}"]`).waitFor();
    await page.locator('#live[data-state="connected"]').waitFor();
  });

  currentStep = 'end';
  if (problems.length) throw new Error('the page reported problems');
  console.log('ok   no console errors, page errors or failed requests');
} catch (e) {
  failed = true;
  console.error(`FAIL ${currentStep}: ${e.message}`);
  if (problems.length) console.error(`console errors, page errors and failed requests:\n  ${problems.join('\n  ')}`);
  // What the page itself said went wrong.
  const said = page ? await page.locator('[role=alert], #ws-message').allTextContents().catch(() => []) : [];
  for (const text of said.filter((t) => t.trim())) console.error(`the page says: ${text.trim()}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
