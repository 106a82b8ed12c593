// The test notification server (tests/notify-server.py) on the private
// session bus of tests/with-display.sh, and what it received.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './wd.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class NotificationServer {
  /** `{ markup: true }`: a server that reads bodies as markup (GNOME, KDE). */
  static async start({ markup = false } = {}) {
    const log = join(mkdtempSync(join(tmpdir(), 'kizuna-notify-')), 'notifications.jsonl');
    // Debian's own Python: python3-dbus and python3-gi are installed for it.
    const proc = spawn('/usr/bin/python3', [join(ROOT, 'tests', 'notify-server.py'), log, ...(markup ? ['markup'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
    for (let i = 0; !existsSync(`${log}.ready`); i++) {
      if (i > 100 || proc.exitCode !== null) throw new Error('the test notification server did not start');
      await sleep(100);
    }
    const s = new NotificationServer();
    s.proc = proc;
    s.log = log;
    return s;
  }

  /** Every notification received so far: { id, app, summary, body, at (s) }. */
  all() {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }

  matching(text) {
    return this.all().filter((n) => n.summary.includes(text) || n.body.includes(text));
  }

  /** Reports a click on a notification, as the desktop does. */
  click(id) {
    writeFileSync(`${this.log}.click`, String(id));
  }

  async stop() {
    this.proc.kill('SIGTERM');
    await new Promise((r) => (this.proc.exitCode !== null ? r() : this.proc.on('exit', r)));
  }
}
