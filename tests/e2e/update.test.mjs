// End-to-end: updating Kizuna from the team folder, in the real window. An
// older Kizuna (this build) meets a newer one that an admin put into the
// Kizuna-updates folder beside the team file — once while the team file is
// still one it can write, once after the newer Kizuna has migrated it.
// The "newer build" is a stand-in installer stamped with a higher version in
// its manifest; installing hands the checked local copy to the system's
// installer (xdg-open on Linux), which here is a script that records what it
// was given.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome } from './wd.mjs';

const running = new Set();
afterEach(async () => {
  for (const app of running) await app.quit();
  running.clear();
});

async function launch(opts) {
  const app = await App.launch(opts);
  running.add(app);
  return app;
}

/** A team file on a "share" folder, chosen in the user's config already. */
function team(home, language) {
  const share = join(home, '営業 共有');
  mkdirSync(share, { recursive: true });
  const db = join(share, 'kizuna.db');
  execFileSync(CLI, ['--db', db, 'demo', '--lang', language]);
  writeFileSync(join(home, 'config.json'), JSON.stringify({ database: db, first_run_done: true }));
  return { db, updates: join(share, 'Kizuna-updates') };
}

/** What the admin copies from `make dist`: an installer and its manifest. */
function publish(updates, version, bytes, schema) {
  mkdirSync(updates, { recursive: true });
  const file = `kizuna_${version}_amd64.deb`;
  writeFileSync(join(updates, file), bytes);
  const manifest = {
    product: 'jp.kizuna.desktop',
    version,
    schema,
    installers: [
      { platform: 'linux-x86_64', file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    ],
  };
  writeFileSync(join(updates, 'kizuna-update.json'), JSON.stringify(manifest, null, 2));
  return join(updates, file);
}

/** A stand-in for the desktop's installer: records the file it is asked to open. */
function fakeOpener(home) {
  const bin = join(home, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(home, 'opened.txt');
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  return { env: { PATH: `${bin}:${process.env.PATH}` }, log };
}

function schemaOf(db) {
  const out = execFileSync(CLI, ['--db', db, 'check']).toString();
  return Number(/this Kizuna knows (\d+)/.exec(out)[1]);
}

test('a newer Kizuna in the team folder is offered, a tampered copy refused, a checked copy installed', async () => {
  const home = freshHome();
  const { db, updates } = team(home, 'ja');
  const bytes = randomBytes(256 * 1024);
  const installer = publish(updates, '9.0.0', bytes, schemaOf(db));
  const opener = fakeOpener(home);
  const app = await launch({ home, env: opener.env });
  await answerWhoAreYou(app, '佐藤 花子');

  const banner = await app.find('[data-testid="update-banner"]');
  assert.equal(await app.attr(banner, 'data-kind'), 'available');
  assert.match(await app.text('[data-testid="update-text"]'), /Kizuna 9\.0\.0 があります/);
  await app.screenshot('update-available-ja');

  // Changed on the share after the manifest was written: refused, nothing opened.
  const tampered = Buffer.from(bytes);
  tampered[1000] ^= 0xff;
  writeFileSync(installer, tampered);
  await app.click('[data-testid="update-install"]');
  const refusal = '[data-testid="update-banner"] [data-testid="error-message"]';
  assert.equal(await app.attr(await app.find(refusal), 'data-code'), 'invalid');
  assert.match(await app.text(refusal), /チェックサムと一致しません/);
  assert.ok(!existsSync(opener.log), 'nothing was handed to the installer');
  await app.screenshot('update-refused-ja');

  // The admin copies it again: checked, and the local copy goes to the installer.
  writeFileSync(installer, bytes);
  await app.click('[data-testid="update-install"]');
  const started = await app.text('[data-testid="update-started"]');
  assert.match(started, /9\.0\.0 のインストーラーを開きました/);
  assert.match(started, /チェックサムを確認済み/);
  const opened = await app.waitFor(() => existsSync(opener.log) && readFileSync(opener.log, 'utf8').trim(), 5000, 'the installer to be opened');
  assert.equal(opened, join(home, 'updates', 'kizuna_9.0.0_amd64.deb'), 'the copy on this computer, not the share');
  assert.deepEqual(readFileSync(opened), bytes);
  await app.screenshot('update-started-ja');
});

test('a team file updated by a newer Kizuna opens read-only and offers the Kizuna that reads it', async () => {
  const home = freshHome();
  const { db, updates } = team(home, 'en');
  const newer = schemaOf(db) + 1;
  execFileSync('python3', ['-c', `import sqlite3; c = sqlite3.connect(${JSON.stringify(db)}); c.execute("PRAGMA user_version = ${newer}"); c.commit()`]);
  const opener = fakeOpener(home);
  const app = await launch({ home, env: opener.env, lang: 'en_US.UTF-8' });
  // A file this Kizuna may only read lets "who are you?" wait.
  await app.click('[data-testid="identity-dialog"] [data-testid="modal-close"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="identity-dialog"]')).length, 10000, 'the question to close');

  // Nothing in the folder yet: the user learns where the admin must put it.
  const banner = await app.find('[data-testid="update-banner"]');
  assert.equal(await app.attr(banner, 'data-kind'), 'needed_no_installer');
  const text = await app.text('[data-testid="update-text"]');
  assert.match(text, /can only read it/);
  assert.ok(text.includes(updates), text);
  const readOnly = await app.find('[data-testid="status-read-only"]');
  assert.equal(await app.attr(readOnly, 'data-reason'), 'schema_too_new');
  await app.screenshot('update-needed-no-installer-en');

  publish(updates, '9.1.0', randomBytes(64 * 1024), newer);
  await app.click('[data-testid="update-look-again"]');
  await app.waitFor(async () => (await app.attr(await app.find('[data-testid="update-banner"]'), 'data-kind')) === 'needed', 5000, 'the offer');
  assert.match(await app.text('[data-testid="update-text"]'), /updated by a newer Kizuna \(9\.1\.0\)/);
  assert.equal(await app.text('[data-testid="update-install"]'), 'Install Kizuna 9.1.0');
  assert.equal((await app.findAll('[data-testid="update-dismiss"]')).length, 0, 'not something to put off');
  await app.screenshot('update-needed-en');
  await app.click('[data-testid="update-install"]');
  assert.match(await app.text('[data-testid="update-started"]'), /installer for Kizuna 9\.1\.0 has opened/);
});
