// End-to-end: saving while a colleague saves (docs/shared-database.md,
// "Saves take turns"). A colleague's desktop (tests/e2e/colleague-saving.py)
// holds the first ticket in the save queue and the team file's write lock.
// A touch logged meanwhile says "saving…" in the status bar, with how many
// saves are ahead, and goes through when the colleague is done — no error.
// Held past the window's wait limit, the touch waits in this computer's
// outbox instead and reaches the team file by itself once the file is free.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, openFirstCustomer, ROOT } from './wd.mjs';

let app;
let colleague;

afterEach(async () => {
  if (app) {
    await app.screenshot('last-busy').catch(() => {});
    await app.quit();
    app = undefined;
  }
  colleague?.kill();
  colleague = undefined;
});

/** A colleague in the middle of a save for `seconds`; resolves once it holds the file. */
function colleagueSaving(team, seconds) {
  colleague = spawn('/usr/bin/python3', [join(ROOT, 'tests', 'e2e', 'colleague-saving.py'), team, String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let said = '';
  const released = new Promise((resolve) => colleague.on('exit', resolve));
  const holding = new Promise((resolve, reject) => {
    colleague.stdout.on('data', (d) => {
      said += d;
      if (said.includes('holding')) resolve();
    });
    colleague.on('exit', () => reject(new Error(`the colleague stopped early: ${said}`)));
  });
  return { holding, released };
}

/** The app on a fresh team file, on a customer's page. */
async function onCustomerPage(lang) {
  const dir = freshHome('kizuna-busy-');
  const team = join(dir, 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', lang]);
  const home = freshHome();
  writeFileSync(join(home, 'config.json'), JSON.stringify({ database: team, first_run_done: true, language: lang, close_to_tray: true }));
  app = await App.launch({ home, env: { USER: 'sato' } });
  await answerWhoAreYou(app, 'sato');
  await app.find('[data-testid="deal-card"]');
  await openFirstCustomer(app);
  return team;
}

const stored = (team, summary) =>
  execFileSync('/usr/bin/python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select count(*) from activities where summary=?", (sys.argv[2],)).fetchone()[0])`, team, summary])
    .toString()
    .trim();

const onTimeline = (summary) =>
  app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].some((e) => e.textContent.includes(arguments[0]))`, [summary]);

async function logCall(summary) {
  await app.click('[data-testid="log-kind-call"]');
  await app.type('[data-testid="log-summary"]', summary);
  await app.click('[data-testid="log-save"]');
}

test('a touch saved while a colleague saves says "saving…" and goes through when they are done', async () => {
  const team = await onCustomerPage('ja');
  const { holding, released } = colleagueSaving(team, 5);
  await holding;
  const summary = `同僚の保存中に記録した電話${Date.now() % 10000}`;
  const saved = Date.now();
  await logCall(summary);
  const badge = await app.find('[data-testid="status-saving"]', 5000);
  assert.equal(await app.attr(badge, 'data-ahead'), '1', 'one save ahead: the colleague’s');
  assert.match(await app.text('[data-testid="status-saving"]'), /保存中… 同僚の保存を待っています（あと 1 件）/);
  await app.screenshot('busy-saving-ja');
  await released;
  await app.waitFor(async () => (await app.findAll('[data-testid="status-saving"]')).length === 0, 10000, 'the saving notice gone');
  await app.waitFor(() => onTimeline(summary), 10000, 'the touch on the timeline');
  console.log(`# saved ${Date.now() - saved} ms after the click, behind a 5 s save`);
  const errors = await app.exec(`return [...document.querySelectorAll('[data-testid="toast"][data-kind="error"]')].map((t) => t.textContent).join(' ')`);
  assert.doesNotMatch(errors, /使用中|保存/, 'no error about the save');
  assert.equal(await app.findAll('[data-testid="status-outbox"]').then((o) => o.length), 0, 'nothing kept in the outbox');
  assert.equal(stored(team, summary), '1', 'in the team file exactly once');
});

test('a touch held up past the wait limit waits in the outbox and lands once the file is free', async () => {
  const team = await onCustomerPage('en');
  const { holding, released } = colleagueSaving(team, 16);
  await holding;
  const summary = `Call logged behind a long save ${Date.now() % 10000}`;
  await logCall(summary);
  await app.find('[data-testid="status-saving"]', 5000);
  assert.match(await app.text('[data-testid="status-saving"]'), /Saving… waiting for colleagues' saves \(1 ahead\)/);
  // Past the window's limit (10 s): kept on this computer, the form cleared.
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="status-outbox"]')?.dataset.pending`)) === '1', 20000, 'the touch waiting in the outbox');
  assert.match(await app.text('[data-testid="toast"][data-kind="info"]'), /Colleagues' saves kept the team file busy/);
  assert.equal(await app.exec(`return document.querySelector('[data-testid="log-summary"]').value`), '', 'the form was cleared: the work is safe');
  assert.equal(await app.findAll('[data-testid="status-saving"]').then((s) => s.length), 0, 'no longer "saving…"');
  await app.screenshot('busy-outbox-en');
  await released;
  const free = Date.now();
  await app.waitFor(async () => (await app.findAll('[data-testid="status-outbox"]')).length === 0, 20000, 'the outbox sent by itself');
  console.log(`# the outbox was sent ${Date.now() - free} ms after the file was free`);
  await app.waitFor(() => onTimeline(summary), 10000, 'the touch on the timeline');
  assert.equal(stored(team, summary), '1', 'in the team file exactly once');
});
