// A real SMTP server for the end-to-end tests (Debian's aiosmtpd on
// 127.0.0.1, src-tauri/core/tests/mail_smtp/server.py, plain: it is a relay
// on this computer) and connecting a member's account to it through
// Settings → メール送信, as a user does.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const HERE = new URL('../../src-tauri/core/tests/mail_smtp/', import.meta.url).pathname;
export const SMTP_USER = 'tanaka';
export const SMTP_PASSWORD = 'e2e-パスワード-secret';

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the server; `stop()` ends it. Mail it takes lands in `inbox` as N.eml. */
export async function startSmtp(port, inbox) {
  mkdirSync(inbox, { recursive: true });
  const child = spawn('/usr/bin/python3', [join(HERE, 'server.py'), String(port), inbox, '-', '-', SMTP_USER, SMTP_PASSWORD], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  assert.equal(first.trim(), 'ready');
  return {
    stop() {
      child.stdin.end();
      child.kill();
    },
  };
}

export const received = (inbox) => readdirSync(inbox).filter((n) => n.endsWith('.eml'));

/** A received mail as Python's email package reads it (subject, from_name, to_address, body). */
export const parseMail = (inbox, name) =>
  JSON.parse(execFileSync('/usr/bin/python3', [join(HERE, 'parse.py'), join(inbox, name)]).toString());

export async function setSecurity(app, value) {
  await app.exec(
    `const s = document.querySelector('[data-testid="mail-security"]'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));`,
    [value],
  );
}

/** Settings → メール送信: the member's account pointed at the test server, the password saved. */
export async function connectMail(app, port, fromName = '田中 太郎（株式会社きずな）') {
  await app.click('[data-testid="nav-settings"]');
  await app.find('[data-testid="mail-settings"]');
  await app.type('[data-testid="mail-host"]', '127.0.0.1');
  await setSecurity(app, 'none');
  await app.type('[data-testid="mail-port"]', String(port));
  await app.type('[data-testid="mail-user"]', SMTP_USER);
  await app.type('[data-testid="mail-password"]', SMTP_PASSWORD);
  await app.type('[data-testid="mail-from-address"]', 'tanaka@kizuna.example.jp');
  await app.type('[data-testid="mail-from-name"]', fromName);
  await app.click('[data-testid="mail-save"]');
  await app.find('[data-testid="mail-saved"]');
  await app.waitFor(
    async () => (await app.attr(await app.find('[data-testid="mail-password-state"]'), 'data-saved')) === 'true',
    10000,
    'the password saved',
  );
}
