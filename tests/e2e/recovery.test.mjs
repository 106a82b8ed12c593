// End-to-end: the last desktop that had the team file open died in the
// middle of a save (kill -9, as a power cut or a closing laptop lid would).
// The next Kizuna to start must roll the cut-off save back, open the file
// with every completed save and say what happened — not lock the team out.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome } from './wd.mjs';

let app;
after(async () => {
  if (!app) return;
  await app.screenshot('last-recovery').catch(() => {});
  await app.quit();
});

const MAGIC = 'd9d505f920a163d7';

/** Whether the file's journal was left by a crash (synced, so SQLite must play it back). */
function hotJournal(db) {
  const journal = `${db}-journal`;
  if (!existsSync(journal)) return false;
  let fd;
  try {
    fd = openSync(journal, 'r');
    const head = Buffer.alloc(8);
    return readSync(fd, head, 0, 8, 0) === 8 && head.toString('hex') === MAGIC;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Runs the only writer on `db` and kills it with SIGKILL mid-save. */
async function killTheLastWriterMidSave(db) {
  const deadline = Date.now() + 120_000;
  const acked = new Set();
  while (Date.now() < deadline) {
    const writer = spawn(CLI, ['--db', db, '--as', 'crasher', 'stress', '1000000'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    writer.stdout.on('data', (d) => (out += d));
    await new Promise((r) => setTimeout(r, 150));
    const until = Date.now() + 5000;
    // Busy-wait on purpose: the hot window of one save is milliseconds.
    while (!hotJournal(db) && Date.now() < until);
    writer.kill('SIGKILL');
    await new Promise((r) => (writer.exitCode !== null || writer.signalCode !== null ? r() : writer.on('exit', r)));
    for (const line of out.split('\n')) if (line.startsWith('ack ')) acked.add(line.slice(4));
    if (hotJournal(db)) return acked;
  }
  throw new Error('never caught the writer mid-save');
}

test('the next desktop opens the team file after the last one crashed mid-save, and says so', async () => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const acked = await killTheLastWriterMidSave(team);
  assert.ok(hotJournal(team), 'a crashed save is waiting to be rolled back');

  const home = freshHome('kizuna-desk-');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ database: team, first_run_done: true, language: 'ja', close_to_tray: true }));
  app = await App.launch({ home, env: { USER: 'suzuki' } });
  await app.find('[data-testid="deal-card"]', 30000);
  // Suzuki is not in the file yet: he says who he is, as on any first open.
  await answerWhoAreYou(app, '鈴木');
  assert.equal((await app.findAll('[data-testid="database-unavailable"]')).length, 0);
  const notice = '[data-testid="status-notice"][data-notice="crash_rolled_back"]';
  // The badge is clipped to the status bar's width; its whole text is its title.
  assert.match(await app.exec(`return document.querySelector('${notice}').title`), /途中で終了/);
  await app.screenshot('recovery-crash-rolled-back-ja');
  assert.ok(!existsSync(`${team}-journal`), 'the journal was played back');

  // Every save acknowledged before the crash is there, and the file is whole.
  const last = [...acked].at(-1);
  if (last) {
    const hits = await app.invoke('search', { query: `stress ${last}` });
    assert.ok(hits.activities.hits.length >= 1, `the last acknowledged save (${last}) is in the file`);
  }
  await app.quit();
  app = undefined;
  const check = execFileSync(CLI, ['--db', team, 'check']).toString();
  assert.match(check, /integrity ok/);
});
