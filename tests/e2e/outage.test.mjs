// End-to-end: the team database on a share that fails. tests/faultfs.py
// serves the team file through FUSE and fails every call with EIO on
// command. The window says the share is unreachable and keeps what it
// shows; a touch logged meanwhile waits in this computer's outbox (counted
// in the status bar) and reaches the team file when the share is back.
// A card moved on the board meanwhile waits the same way. A share that
// refuses locks opens read-only, with the reason on screen.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, openFirstCustomer, ROOT } from './wd.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let app;
let control;
const shares = [];

afterEach(async () => {
  if (app) {
    await app.screenshot('last-outage').catch(() => {});
    await app.quit();
    app = undefined;
  }
  if (control) writeFileSync(control, 'ok');
  for (const { mount, server } of shares.splice(0)) {
    try {
      // Lazily: the app's processes may still be letting go of the file.
      execFileSync('fusermount', ['-u', '-z', mount]);
    } catch {
      /* already gone */
    }
    server.kill();
  }
});

/** A FUSE share (tests/faultfs.py); `extra` = ['refuse-locks'] for one that refuses every lock. */
async function mountShare(extra = []) {
  const dir = freshHome('kizuna-share-');
  const backing = join(dir, 'server');
  const mount = join(dir, 'share');
  control = join(dir, 'mode');
  mkdirSync(backing);
  mkdirSync(mount);
  writeFileSync(control, 'ok');
  const server = spawn('/usr/bin/python3', [join(ROOT, 'tests', 'faultfs.py'), backing, mount, control, ...extra], { stdio: 'inherit' });
  shares.push({ mount, server });
  for (let i = 0; !readFileSync('/proc/mounts', 'utf8').includes(mount); i++) {
    if (i > 200) throw new Error('the FUSE share did not mount');
    await sleep(50);
  }
  return { team: join(mount, 'kizuna-team.db'), serverSide: join(backing, 'kizuna-team.db') };
}

const state = () => app.exec(`return document.querySelector('[data-testid="status-connection"]')?.dataset.state`);

test('a touch logged while the share fails waits in the outbox and arrives when it is back', async () => {
  const { team } = await mountShare();
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const home = freshHome();
  writeFileSync(join(home, 'config.json'), JSON.stringify({ database: team, first_run_done: true, language: 'ja', close_to_tray: true }));

  app = await App.launch({ home, env: { USER: 'sato' } });
  await answerWhoAreYou(app, 'sato');
  await app.find('[data-testid="deal-card"]');
  await openFirstCustomer(app);

  // The server starts failing every call.
  writeFileSync(control, 'eio');
  const failed = Date.now();
  await app.waitFor(async () => (await state()) === 'unreachable', 15000, 'the unreachable state');
  console.log(`# the failing share was reported after ${Date.now() - failed} ms`);
  assert.ok((await app.findAll('[data-testid="timeline-entry"]')).length > 0, 'what was loaded stays on screen');

  const summary = `障害中に記録した電話${Date.now() % 10000}`;
  await app.click('[data-testid="log-kind-call"]');
  await app.type('[data-testid="log-summary"]', summary);
  await app.click('[data-testid="log-save"]');
  await app.find('[data-testid="toast"][data-kind="info"]');
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="status-outbox"]')?.dataset.pending`)) === '1', 10000, 'one item waiting');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="log-summary"]').value`), '', 'the form was cleared: the work is safe');
  await app.screenshot('outage-outbox-ja');

  // The share is back: the outbox drains and the touch is on the timeline.
  writeFileSync(control, 'ok');
  const back = Date.now();
  await app.waitFor(async () => (await state()) === 'connected', 15000, 'connected again');
  await app.waitFor(async () => (await app.findAll('[data-testid="status-outbox"]')).length === 0, 15000, 'the outbox drained');
  console.log(`# the outbox drained ${Date.now() - back} ms after the share came back`);
  await app.waitFor(
    async () => app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].some((e) => e.textContent.includes(arguments[0]))`, [summary]),
    10000,
    'the touch on the timeline',
  );
  const stored = execFileSync('/usr/bin/python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select count(*) from activities where summary=?", (sys.argv[2],)).fetchone()[0])`, team, summary]).toString().trim();
  assert.equal(stored, '1', 'in the team file exactly once');

  // A card moved on the board while the share fails stays where it was put
  // and reaches the team file afterwards.
  await app.click('[data-testid="nav-board"]');
  const [slot] = await app.waitFor(async () => {
    const els = await app.findAll('[data-testid="column"][data-stage-name="リード"] [data-card-slot]');
    return els.length ? els : null;
  }, 15000, 'a card in リード');
  const dealId = await app.attr(slot, 'data-card-slot');
  writeFileSync(control, 'eio');
  await app.waitFor(async () => (await state()) === 'unreachable', 15000, 'the unreachable state');
  await app.drag(slot, await app.find('[data-testid="column"][data-stage-name="初回商談"] [data-testid="column-cards"]'), { dy: 40 });
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="status-outbox"]')?.dataset.pending`)) === '1', 10000, 'the move waiting');
  const column = () => app.exec(`return document.querySelector('[data-card-slot="' + arguments[0] + '"]')?.closest('[data-testid="column"]')?.dataset.stageName`, [dealId]);
  assert.equal(await column(), '初回商談', 'the card stays where it was put');
  writeFileSync(control, 'ok');
  await app.waitFor(async () => (await app.findAll('[data-testid="status-outbox"]')).length === 0, 15000, 'the move sent');
  const stage = execFileSync('/usr/bin/python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select s.name from deals d join stages s on s.id = d.stage_id where d.id=?", (sys.argv[2],)).fetchone()[0])`, team, dealId]).toString().trim();
  assert.equal(stage, '初回商談');
  assert.equal(await column(), '初回商談');
});

test('a share whose file locking does not work opens read-only and says why', async () => {
  const { team, serverSide } = await mountShare(['refuse-locks']);
  // Made on the server side, where locks work; the desktops reach it through the share.
  execFileSync(CLI, ['--db', serverSide, '--as', 'sato', 'demo', '--lang', 'ja']);
  const home = freshHome();
  writeFileSync(join(home, 'config.json'), JSON.stringify({ database: team, first_run_done: true, language: 'ja', close_to_tray: true }));

  app = await App.launch({ home, env: { USER: 'sato' } });
  await answerWhoAreYou(app, 'sato');
  await app.find('[data-testid="deal-card"]');
  assert.match(await app.text('[data-testid="status-read-only"][data-reason="locking_broken"]'), /ロック/);
  assert.equal(await state(), 'connected', 'reading works: the data is on screen');
  await app.screenshot('outage-locking-broken-ja');
});
