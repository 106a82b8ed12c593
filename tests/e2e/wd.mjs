// A small W3C WebDriver client for driving the real Kizuna window through
// tauri-driver (which hands the session to WebKitWebDriver on Linux).
// Kept dependency-free on purpose: the protocol is a handful of HTTP calls.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
export const ROOT = resolve(import.meta.dirname, '..', '..');
export const APP = process.env.KIZUNA_APP ?? join(ROOT, 'target', 'debug', 'kizuna-desktop');
export const CLI = process.env.KIZUNA_CLI ?? join(ROOT, 'target', 'debug', 'kizuna');
export const SHOTS = join(ROOT, 'target', 'e2e-screenshots');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

/** A fresh, private home for one app instance: config, data, window state. */
export function freshHome(prefix = 'kizuna-e2e-') {
  const home = mkdtempSync(join(tmpdir(), prefix));
  return home;
}

/**
 * One colleague's desktop on the team file: a fresh home whose config
 * points at `team`, past the first run, in `language`.
 */
export function teamDesktop(team, language = 'ja') {
  const home = freshHome('kizuna-desk-');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ database: team, first_run_done: true, language, close_to_tray: true }));
  return home;
}

export function envFor(home, extra = {}) {
  return {
    ...process.env,
    KIZUNA_HOME: home,
    // The window-state plugin and WebKit keep files under XDG folders.
    XDG_CONFIG_HOME: join(home, 'xdg-config'),
    XDG_DATA_HOME: join(home, 'xdg-data'),
    XDG_CACHE_HOME: join(home, 'xdg-cache'),
    ...extra,
  };
}

export class App {
  constructor(driver, base, id) {
    this.driver = driver;
    this.base = base;
    this.id = id;
  }

  /**
   * Starts tauri-driver and a session with the real app binary. A Kizuna
   * of the previous test still on its way out holds the single-instance
   * name for a moment on a loaded machine, and the new one hands over to
   * it and exits: end what is left and start once more.
   */
  static async launch(options) {
    try {
      return await App.launchOnce(options);
    } catch (e) {
      if (!/single-instance|running instance/.test(String(e))) throw e;
      await endProcessesOf(options.home);
      await endKizunasOnThisBus();
      await sleep(2000);
      return App.launchOnce(options);
    }
  }

  static async launchOnce({ home, env = {}, lang = 'ja_JP.UTF-8' }) {
    const port = await freePort();
    const nativePort = await freePort();
    const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
      env: envFor(home, { LANG: lang, LC_ALL: lang, LANGUAGE: lang.split('.')[0], ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    driver.stdout.on('data', (d) => (log += d));
    driver.stderr.on('data', (d) => (log += d));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        await fetch(`${base}/status`);
        break;
      } catch {
        if (i > 100) throw new Error(`tauri-driver did not start: ${log}`);
        await sleep(100);
      }
    }
    const res = await call(
      base,
      'POST',
      '/session',
      { capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application: APP } } } },
      // A window that never comes (another Kizuna still running took over as
      // the single instance, or the binary is missing) fails in a minute.
      60_000,
    ).catch(async (e) => {
      driver.kill('SIGKILL');
      // WebKitWebDriver outlives tauri-driver and holds its output pipes:
      // left running, it would keep this test file from ever ending.
      await endProcessesOf(home);
      driver.stdout.destroy();
      driver.stderr.destroy();
      throw new Error(`the app window did not open (${e.message}); is another Kizuna still running? ${log}`);
    });
    const app = new App(driver, base, res.value?.sessionId ?? res.sessionId);
    app.home = home;
    app.log = () => log;
    return app;
  }

  async cmd(method, path, body) {
    return (await call(this.base, method, `/session/${this.id}${path}`, body)).value ?? null;
  }

  async findAll(css) {
    const els = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return els.map((e) => e[ELEMENT]);
  }

  /** Waits until `css` matches at least one element and returns the first. */
  async find(css, timeout = 15000) {
    const [el] = await this.waitFor(async () => {
      const els = await this.findAll(css);
      return els.length ? els : null;
    }, timeout, `element ${css}`);
    return el;
  }

  async click(css) {
    await this.clickEl(await this.find(css));
  }

  /** Brings an element found (its WebDriver id) to the middle of the view, as a hand scrolls to it. */
  async scrollTo(el) {
    await this.exec('arguments[0].scrollIntoView({ block: "center", inline: "center" })', [{ [ELEMENT]: el }]);
  }

  /**
   * Clicks an element already found (its WebDriver id). A notice stacked in
   * the corner may cover it — one stays until closed: reminders this test
   * display cannot show — so, as a person would, the notices are closed and
   * the click tried again. A button greyed out while the page saves (a
   * composer's send while the last message is on its way) is waited for, as
   * a person waits: WebDriver's click on a disabled button does nothing and
   * says nothing, and the test then timed out far from the lost click.
   */
  async clickEl(el) {
    await this.scrollTo(el);
    await this.waitFor(async () => !(await this.exec('return arguments[0].disabled === true', [{ [ELEMENT]: el }])), 10000, 'a disabled button to be enabled');
    try {
      await this.cmd('POST', `/element/${el}/click`, {});
    } catch (e) {
      if (!String(e.message).includes('element click intercepted')) throw e;
      await this.exec(`document.querySelectorAll('[data-testid="toast"] .close').forEach((b) => b.click())`);
      await this.cmd('POST', `/element/${el}/click`, {});
    }
  }

  /**
   * Clicks `css` until `expect` shows. A page still laying out what it has
   * just loaded (Settings fills its sections one by one) can move the target
   * between WebDriver's scroll and its click, which then lands beside it; a
   * person clicks again, and so does this.
   */
  async clickUntil(css, expect, tries = 3) {
    for (let i = 1; ; i++) {
      await this.click(css);
      try {
        return await this.find(expect, 3000);
      } catch (e) {
        if (i >= tries) throw e;
      }
    }
  }

  async text(css) {
    const el = typeof css === 'string' ? await this.find(css) : css;
    return this.cmd('GET', `/element/${el}/text`);
  }

  async attr(el, name) {
    return this.cmd('GET', `/element/${el}/attribute/${name}`);
  }

  /** Sets a <select> as a user's pick does (a native popup cannot be driven under the test display). */
  async choose(css, value) {
    await this.exec(
      `const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('change', { bubbles: true }));`,
      [css, value],
    );
  }

  /**
   * Types into `css` after clearing it. A field on a page still laying out
   * (Settings fills its sections as their data arrives) can be out of view or
   * replaced when WebDriver reaches it ("element not interactable", a stale
   * element): as a person would, this scrolls to the field again and retries.
   */
  async type(css, text) {
    const el = await this.waitFor(
      async () => {
        const [found] = await this.findAll(css);
        if (!found) return null;
        await this.scrollTo(found);
        await this.cmd('POST', `/element/${found}/clear`, {});
        return found;
      },
      15000,
      `${css} to take input`,
    );
    await this.cmd('POST', `/element/${el}/value`, { text });
  }

  /**
   * Drags with the real mouse (WebDriver actions → pointer events in the
   * page), in steps like a hand, from the middle of one element to the
   * middle of another, with an optional offset there.
   */
  async drag(fromEl, toEl, { dx = 0, dy = 0, steps = 8 } = {}) {
    const origin = (el) => ({ [ELEMENT]: el });
    // A hand scrolls to the card first; WebDriver refuses to move outside the viewport.
    await this.scrollTo(fromEl);
    const moves = [];
    for (let i = 1; i <= steps; i++) moves.push({ type: 'pointerMove', duration: 30, origin: origin(toEl), x: Math.round((dx * i) / steps), y: Math.round((dy * i) / steps) });
    const act = () => this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', duration: 0, origin: origin(fromEl), x: 0, y: 0 },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerMove', duration: 50, origin: origin(fromEl), x: 12, y: 12 },
            ...moves,
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
    try {
      await act();
    } catch (e) {
      // WebKit measures the elements while a scroll it just started may
      // still be moving them: once it has settled, the same drag is in view.
      if (!/out of bounds/.test(String(e))) throw e;
      await this.cmd('DELETE', '/actions');
      await new Promise((r) => setTimeout(r, 400));
      await act();
    }
    await this.cmd('DELETE', '/actions');
  }

  /** A mouse click at a point of the window (e.g. a dialog's backdrop). */
  async clickAt(x, y) {
    const act = () => this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', duration: 0, origin: 'viewport', x, y },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
    try {
      await act();
    } catch (e) {
      // WebKit measures the elements while a scroll it just started may
      // still be moving them: once it has settled, the same drag is in view.
      if (!/out of bounds/.test(String(e))) throw e;
      await this.cmd('DELETE', '/actions');
      await new Promise((r) => setTimeout(r, 400));
      await act();
    }
    await this.cmd('DELETE', '/actions');
  }

  /** Presses a key chord on the focused element, e.g. keys(['\uE00A', '\uE014']) for Alt+→. */
  async keys(chord) {
    await this.cmd('POST', '/actions', {
      actions: [
        {
          type: 'key',
          id: 'keyboard',
          actions: [...chord.map((value) => ({ type: 'keyDown', value })), ...[...chord].reverse().map((value) => ({ type: 'keyUp', value }))],
        },
      ],
    });
    await this.cmd('DELETE', '/actions');
  }

  /**
   * Calls a Kizuna command over the window's own IPC, as the UI does; for
   * setting up what a test cannot type with second precision.
   */
  async invoke(command, args = {}) {
    const r = await this.cmd('POST', '/execute/async', {
      script: `const done = arguments[2];
        window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then(
          (value) => done({ ok: true, value }),
          (error) => done({ ok: false, error }));`,
      args: [command, args],
    });
    if (!r.ok) throw new Error(`${command} failed: ${JSON.stringify(r.error)}`);
    return r.value;
  }

  async exec(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /** Polls `fn` until it returns a truthy value; the only way tests wait. */
  async waitFor(fn, timeout = 15000, what = 'condition') {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const v = await fn();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    // The window as the wait ended, to see why: a test's own pictures show
    // only the steps that passed.
    let shot = '';
    try {
      shot = ` (window: ${await this.screenshot(`timeout-${what.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}`)})`;
    } catch {
      /* the window may be gone */
    }
    throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}${shot}`);
  }

  async screenshot(name) {
    mkdirSync(SHOTS, { recursive: true });
    // WebKit hands out the last composited frame: wait until the DOM the test
    // just checked has been painted, or the picture shows the step before.
    await this.cmd('POST', '/execute/async', {
      script: 'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));',
      args: [],
    });
    const png = await this.cmd('GET', '/screenshot');
    const path = join(SHOTS, `${name}.png`);
    writeFileSync(path, Buffer.from(png, 'base64'));
    return path;
  }

  async quit() {
    try {
      await call(this.base, 'DELETE', `/session/${this.id}`);
    } catch {
      /* the app may already be gone */
    }
    this.driver.kill('SIGTERM');
    await new Promise((r) => (this.driver.exitCode !== null ? r() : this.driver.on('exit', r)));
    // Closing the window only hides Kizuna in the tray (as users want), and
    // a second Kizuna would hand over to it as the single instance: end it.
    await endProcessesOf(this.home);
  }
}

/**
 * Answers "who are you?" the way a person would: confirms the suggested
 * member (typing `name` when the window asks for one, as it does for a
 * member nobody used yet), or, with no suggestion or `add`, adds a new
 * member named `name`. Waits until the question is gone.
 */
export async function answerWhoAreYou(app, name = 'テスト 太郎', { add = false } = {}) {
  await app.find('[data-testid="identity-dialog"] [data-testid="identity-confirm"]', 30000);
  const suggested = (await app.findAll('[data-testid="identity-suggested"]')).length > 0;
  if (add || !suggested) await app.click('[data-testid="identity-new"]');
  if ((await app.findAll('[data-testid="identity-name"]')).length) {
    // Below a long member list the field is scrolled out of the dialog's view.
    await app.exec(`document.querySelector('[data-testid="identity-name"]').scrollIntoView({ block: 'center' })`);
    await app.type('[data-testid="identity-name"]', name);
  }
  await app.click('[data-testid="identity-confirm"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="identity-dialog"]')).length, 15000, 'the "who are you?" question to close');
}

/** The first run on sample data: "Try with sample data", then "who are you?". */
export async function startOnSample(app, name = 'テスト 太郎') {
  await app.click('[data-testid="first-run-sample"]');
  await answerWhoAreYou(app, name);
}

/**
 * Reads every column of the board as plain data. `cards` and `titles` are
 * the cards in the DOM: none for a folded column, and a long column holds
 * only the pages loaded so far (`count` is every deal in it).
 */
/** From the board to the first customer's page (by kana), its timeline loaded; returns the customer. */
export async function openFirstCustomer(app) {
  const [company] = await app.invoke('companies', { query: { text: null, segment: null, owner_id: null, sort: 'name_kana' } });
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', company.name);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  await app.find('[data-testid="timeline-entry"]');
  return company;
}

export async function readBoard(app) {
  return app.exec(`
    return [...document.querySelectorAll('[data-testid="column"]')].map((col) => ({
      stage: col.getAttribute('data-stage-name'),
      count: Number(col.getAttribute('data-count')),
      collapsed: col.getAttribute('data-collapsed') === 'true',
      shownCount: col.querySelector('[data-testid="column-count"]')?.textContent.trim(),
      total: Number(col.querySelector('[data-testid="column-total"]')?.getAttribute('data-total') ?? 'NaN'),
      cards: [...col.querySelectorAll('[data-testid="deal-card"]')].map((c) => Number(c.getAttribute('data-amount'))),
      titles: [...col.querySelectorAll('[data-testid="deal-card"] .title')].map((t) => t.textContent.trim()),
    }));
  `);
}

/** Unfolds the board's folded (won and lost) columns, so their cards are in the DOM. */
export async function unfoldColumns(app) {
  for (;;) {
    const [toggle] = await app.findAll('[data-testid="column"][data-collapsed="true"] [data-testid="column-toggle"]');
    if (!toggle) return;
    await app.clickEl(toggle);
    await app.waitFor(async () => (await app.attr(toggle, 'aria-expanded').catch(() => 'gone')) !== 'false', 5000, 'the column unfolded');
  }
}

/** The PIDs of processes started with KIZUNA_HOME=home (Linux /proc). */
function processesOf(home) {
  const marker = `KIZUNA_HOME=${home}\0`;
  const pids = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(marker)) pids.push(Number(name));
    } catch {
      /* gone already, or not ours to read */
    }
  }
  return pids;
}

/**
 * Ends every Kizuna on this test display's D-Bus session (the one the
 * single-instance name lives on), whatever test started it; other
 * worktrees' test runs have a bus of their own and are left alone.
 */
async function endKizunasOnThisBus() {
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
  if (!bus) return;
  const marker = `DBUS_SESSION_BUS_ADDRESS=${bus}\0`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/comm`, 'latin1').startsWith('kizuna-desktop')) continue;
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(marker)) process.kill(Number(name), 'SIGKILL');
    } catch {
      /* gone already, or not ours to read */
    }
  }
  await sleep(500);
}

async function endProcessesOf(home) {
  if (!home) return;
  for (const signal of ['SIGTERM', 'SIGKILL']) {
    for (const pid of processesOf(home)) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
    for (let i = 0; i < 50 && processesOf(home).length; i++) await sleep(100);
    if (!processesOf(home).length) return;
  }
}

async function call(base, method, path, body, timeoutMs = 120_000) {
  if (process.env.KIZUNA_E2E_TRACE) console.error(`[wd] ${new Date().toISOString()} ${method} ${path} ${body ? JSON.stringify(body).slice(0, 120) : ''}`);
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || json?.value?.error) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json?.value ?? json)}`);
  }
  return json;
}

export { sleep };
