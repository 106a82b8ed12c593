// End-to-end: backups from Settings, the daily copy, and the way back from a
// damaged file.
// A copy taken with "Back up now" is restored over later work; a database
// damaged on disk is never written to — the start screen offers the latest
// good copy, and restoring it moves the damaged file aside untouched.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, freshHome, startOnSample } from './wd.mjs';

let app;
afterEach(async () => {
  if (!app) return;
  await app.screenshot('last-backups').catch(() => {});
  await app.quit();
  app = undefined;
});

const companyNames = async () => (await app.invoke('companies', { query: { text: null, segment: null, owner_id: null, sort: 'name_kana' } })).map((c) => c.name);

test('a manual backup is restored from Settings; a damaged database is restored from the start screen', async () => {
  const home = freshHome();
  app = await App.launch({ home });
  await app.find('[data-testid="deal-card"]');
  if ((await app.findAll('[data-testid="first-run-sample"]')).length) await startOnSample(app);

  await app.click('[data-testid="nav-settings"]');
  await app.find('[data-testid="settings-backups"]');
  // Settings says where the log is: the logs folder beside the backups.
  await app.find('[data-testid="settings-log"]');
  await app.waitFor(async () => (await app.text('[data-testid="settings-log-path"]')) === join(home, 'logs'), 10000, 'the log folder shown');
  await app.click('[data-testid="settings-log-copy"]');
  await app.find('[data-testid="settings-log-copied"]');
  await app.click('[data-testid="backup-now"]');
  await app.find('[data-testid="backup"][data-kind="manual"]');
  await app.screenshot('backups-settings-ja');

  // Work done after the copy…
  const later = `復元で消える会社${Date.now() % 10000}`;
  await app.invoke('create_company', {
    company: { name: later, name_kana: '', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
  });
  assert.ok((await companyNames()).includes(later));

  // …is gone after restoring it (with a confirmation that says so).
  await app.click('[data-testid="backup"][data-kind="manual"] [data-testid="backup-restore"]');
  await app.find('[data-testid="backup-confirm"]');
  await app.click('[data-testid="backup-restore-confirm"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="backup-confirm"]')).length, 15000, 'the restore');
  assert.ok(!(await companyNames()).includes(later), 'the restore brought back the earlier state');

  // A failed command leaves one line in the log: its name and code, not what was asked.
  const missing = `存在しない顧客${Date.now() % 10000}`;
  await assert.rejects(app.invoke('company', { id: missing }), /not_found/);
  const logText = () =>
    readdirSync(join(home, 'logs'))
      .filter((n) => n.startsWith('kizuna.') && n.endsWith('.log'))
      .map((n) => readFileSync(join(home, 'logs', n), 'utf8'))
      .join('');
  const failed = await app.waitFor(async () => logText().split('\n').find((l) => /WARN company: error=not_found$/.test(l)) ?? null, 5000, 'the failed command logged');
  assert.ok(failed);
  assert.match(logText(), /INFO Kizuna starts version=/);
  assert.ok(!logText().includes(missing) && !logText().includes(later), 'no customer data in the log');
  await app.quit();
  app = undefined;

  // The disk damages the database while Kizuna is closed.
  const file = join(home, 'kizuna-local.db');
  const bytes = readFileSync(file);
  for (let i = 4096; i < 4096 + 8192 && i < bytes.length; i++) bytes[i] = 0x5a;
  writeFileSync(file, bytes);

  app = await App.launch({ home });
  await app.find('[data-testid="database-unavailable"]');
  await app.find('[data-testid="error-message"][data-code="damaged"]');
  await app.find('[data-testid="backup"]');
  await app.screenshot('backups-damaged-offer-ja');
  await app.click('[data-testid="backup-restore"]');
  await app.click('[data-testid="backup-restore-confirm"]');
  await app.find('[data-testid="deal-card"]', 20000);
  // The daily copy is taken on its own, soon after start (first as a
  // .partial file, renamed once it passed its check).
  const daily = await app.waitFor(
    async () => (existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')).find((n) => n.startsWith('kizuna-daily-') && n.endsWith('.db')) : null) ?? null,
    30000,
    'the daily backup',
  );
  assert.match(daily, /^kizuna-daily-\d{14}\.db$/);
  const aside = readdirSync(home).filter((n) => n.startsWith('kizuna-local.damaged-'));
  assert.equal(aside.length, 1, `the damaged file is kept aside: ${readdirSync(home)}`);
  assert.deepEqual(readFileSync(join(home, aside[0])), bytes, 'and was never written to');
  assert.match(logText(), /database not opened code=damaged/, 'the failed open is logged by its code');
});
