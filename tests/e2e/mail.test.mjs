// End-to-end: Settings → メール送信. The member connects a real SMTP server
// (Debian's aiosmtpd on 127.0.0.1, tests/mail_smtp/server.py, plain since
// it is a relay on this computer), the password goes into the kernel
// keyring and never into config.json, a test mail arrives with its Japanese
// subject and name intact, and a server that is down or a forgotten
// password shows its own translated error.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, freshHome, startOnSample } from './wd.mjs';
import { connectMail, freePort, parseMail, received, SMTP_PASSWORD as PASSWORD, startSmtp } from './smtp.mjs';

let app;
let server;
afterEach(async () => {
  if (app) {
    await app.screenshot('last-mail').catch(() => {});
    await app.quit();
    app = undefined;
  }
  if (server) {
    server.stop();
    server = undefined;
  }
});

test('a member connects the company mail server, sends a test mail, and sees why one failed', async () => {
  const home = freshHome();
  const port = await freePort();
  const inbox = join(home, 'inbox');
  server = await startSmtp(port, inbox);

  app = await App.launch({ home });
  await app.find('[data-testid="deal-card"], [data-testid="first-run-sample"]');
  if ((await app.findAll('[data-testid="first-run-sample"]')).length) await startOnSample(app);
  await app.click('[data-testid="nav-settings"]');
  await app.find('[data-testid="mail-settings"]');
  await app.waitFor(async () => (await app.attr(await app.find('[data-testid="mail-password-state"]'), 'data-saved')) === 'false', 10000, 'no password yet');
  await connectMail(app, port);
  assert.equal(await app.exec(`return document.querySelector('[data-testid="mail-password"]').value`), '', 'the password is not echoed back');
  const config = readFileSync(join(home, 'config.json'), 'utf8');
  assert.match(config, /"smtp_accounts"/);
  assert.ok(!config.includes(PASSWORD) && !config.includes('e2e-'), 'no password in config.json');
  await app.screenshot('mail-settings-ja');

  await app.click('[data-testid="mail-send-test"]');
  await app.find('[data-testid="mail-test-sent"]');
  await app.waitFor(async () => received(inbox).length === 1, 10000, 'the test mail at the server');
  const seen = parseMail(inbox, received(inbox)[0]);
  assert.equal(seen.subject, 'Kizuna テストメール');
  assert.equal(seen.from_name, '田中 太郎（株式会社きずな）');
  assert.equal(seen.to_address, 'tanaka@kizuna.example.jp');
  assert.match(seen.body, /テストです/);

  // The server goes away: the reason, translated, with the server's words.
  server.stop();
  server = undefined;
  await app.click('[data-testid="mail-send-test"]');
  await app.find('[data-testid="mail-test-error"] [data-testid="error-message"][data-code="mail_unreachable"]');
  assert.match(await app.text('[data-testid="mail-test-error"]'), /メールサーバーに接続できません/);
  await app.screenshot('mail-unreachable-ja');

  // Without a password in the credential store, sending says so.
  await app.click('[data-testid="mail-forget-password"]');
  await app.waitFor(async () => (await app.attr(await app.find('[data-testid="mail-password-state"]'), 'data-saved')) === 'false', 10000, 'the password removed');
  await app.click('[data-testid="mail-send-test"]');
  await app.find('[data-testid="mail-test-error"] [data-testid="error-message"][data-code="mail_no_password"]');

  // Plain SMTP to another computer is refused with the field named.
  await app.type('[data-testid="mail-host"]', 'smtp.example.co.jp');
  await app.click('[data-testid="mail-save"]');
  await app.find('[data-testid="mail-error"][data-field="security"][data-reason="plain_remote"]');
});
