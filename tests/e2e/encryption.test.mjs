// End-to-end: a manager encrypts the team file in Settings while a
// colleague's window has it open. The manager sees the recovery key once;
// the colleague's window asks for the passphrase (a wrong one is refused),
// then shows every card as before. Python's sqlite3 cannot read the file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';

const apps = [];
after(async () => {
  for (const a of apps) {
    await a.screenshot(`last-encryption-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
});

// This test starts from a plain file, so the encrypted run skips it.
const plain = { ...process.env };
delete plain.KIZUNA_TEST_ENCRYPTED;
delete plain.KIZUNA_PASSPHRASE;

const pythonReads = (file) => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("select count(*) from companies").fetchone()', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const setValue = (app, css, value) =>
  app.exec(
    `const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true }));`,
    [css, value],
  );

test('a manager encrypts the file a colleague has open; the colleague is asked for the passphrase and loses nothing', { skip: process.env.KIZUNA_TEST_ENCRYPTED === '1' }, async () => {
  const team = join(freshHome('kizuna-enc-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja'], { env: plain });
  assert.ok(pythonReads(team), 'a plain file reads (the check can fail)');

  // Each window keeps its passphrase in a credential-store service of its own.
  const a = await App.launch({ home: teamDesktop(team), env: { ...plain, USER: 'sato.k', KIZUNA_VAULT_SERVICE: 'kizuna-e2e-a' } });
  apps.push(a);
  const b = await App.launch({ home: teamDesktop(team), env: { ...plain, USER: 'suzuki', KIZUNA_VAULT_SERVICE: 'kizuna-e2e-b' } });
  apps.push(b);
  await answerWhoAreYou(a, '佐藤 健太');
  await answerWhoAreYou(b, '鈴木');
  await b.find('[data-testid="deal-card"]');
  const cards = async (app) => (await app.findAll('[data-testid="deal-card"]')).length;
  const before = await cards(b);

  await a.click('[data-testid="nav-settings"]');
  await a.find('[data-testid="encryption-settings"] [data-testid="encryption-encrypt"]');
  const passphrase = '春の合言葉はとても長い文章';
  await setValue(a, '[data-testid="encryption-passphrase"]', passphrase);
  await setValue(a, '[data-testid="encryption-repeat"]', passphrase);
  await a.click('[data-testid="encryption-encrypt"]');
  await a.find('[data-testid="recovery-key-dialog"]', 60000);
  const key = await a.text('[data-testid="recovery-key"]');
  assert.match(key, /^([0-9A-F]{4}-){15}[0-9A-F]{4}$/);
  await a.screenshot('encryption-recovery-key-ja');
  await a.click('[data-testid="recovery-kept"]');
  await a.click('[data-testid="recovery-close"]');
  await a.waitFor(async () => (await a.text('[data-testid="encryption-state"]')).includes('暗号化されています'), 10000, 'the state shown');
  assert.ok(!pythonReads(team), 'python3 read the encrypted team file');

  // The colleague's window notices and asks; a wrong passphrase is refused.
  await b.find('[data-testid="passphrase-view"]', 30000);
  await b.screenshot('encryption-passphrase-asked-ja');
  await setValue(b, '[data-testid="passphrase-input"]', '違う合言葉だけど十分に長い');
  await b.click('[data-testid="passphrase-open"]');
  await b.waitFor(async () => /違います/.test(await b.text('[data-testid="passphrase-view"]')), 15000, 'the wrong passphrase refused');
  await setValue(b, '[data-testid="passphrase-input"]', passphrase);
  await b.click('[data-testid="passphrase-open"]');
  await b.find('[data-testid="deal-card"]', 30000);
  assert.equal(await cards(b), before, 'every card still there');
});
