// End-to-end: reminders reach the desktop through the real notification
// service (a test server on the private D-Bus session bus), on time and
// exactly once — across a restart, after a snooze, and for a follow-up a
// colleague's process assigns — and clicking one opens its record.
import { test, afterEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CLI, freshHome, startOnSample } from './wd.mjs';
import { NotificationServer } from './notify.mjs';

let app;
let server;
before(async () => {
  server = await NotificationServer.start();
});
after(async () => {
  await server?.stop();
});
afterEach(async () => {
  if (!app) return;
  await app.screenshot('last-reminders').catch(() => {});
  await app.quit();
  app = undefined;
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Whole seconds: the database keeps due times to the second. */
const secondsFromNow = (s) => new Date(Math.ceil(Date.now() / 1000) * 1000 + s * 1000);
// Reminders at any hour and any day, so the test does not depend on when CI runs.
const ALWAYS = { enabled: true, quiet_start: null, quiet_end: null, working_days: [1, 2, 3, 4, 5, 6, 7] };

async function start(home) {
  // HOME too: the autostart entry goes to $HOME/.config/autostart whatever
  // XDG_CONFIG_HOME says, and a test must never write into the real profile.
  const a = await App.launch({ home, env: { HOME: home } });
  // The board shows behind the first-run question once the status is known.
  await a.find('[data-testid="deal-card"]');
  if ((await a.findAll('[data-testid="first-run-sample"]')).length) await startOnSample(a);
  return a;
}

async function waitForNotification(text, count, timeout) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const found = server.matching(text);
    if (found.length >= count) return found;
    await sleep(50);
  }
  throw new Error(`no notification naming ${text} (have: ${JSON.stringify(server.all().map((n) => n.summary))})`);
}

test('a due follow-up is notified once and on time, survives a restart, comes back after a snooze, and a colleague’s assignment arrives too', async (t) => {
  const home = freshHome();
  app = await start(home);
  const status = await app.invoke('app_status');
  await app.invoke('save_notify_prefs', { prefs: ALWAYS });
  const customer = `通知テスト商事${Date.now() % 100000}`;
  const companyId = await app.invoke('create_company', {
    company: { name: customer, name_kana: 'つうちてすとしょうじ', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
  });

  // Due a few seconds ahead.
  const due = secondsFromNow(4);
  const planned = await app.invoke('create_follow_up', {
    followUp: { kind: 'follow_up', title: '見積のご確認', due_at: due.toISOString(), assignee_id: null, company_id: companyId, deal_id: null, contract_id: null, activity_id: null },
  });
  const [first] = await waitForNotification(customer, 1, 15000);
  const delay = first.at * 1000 - due.getTime();
  assert.ok(delay >= 0 && delay <= 2000, `notified ${delay} ms after its time`);
  t.diagnostic(`follow-up notified ${Math.round(delay)} ms after its due time`);
  assert.equal(first.app, 'Kizuna');
  assert.match(first.summary, /^フォロー: 通知テスト商事/);
  assert.match(first.body, /見積のご確認/);
  await sleep(2500);
  assert.equal(server.matching(customer).length, 1, 'exactly one notification');
  // The sample data's items that fell due before the app started came as
  // one summary, not a burst of dozens.
  const others = server.all().filter((n) => !n.summary.includes(customer) && !n.body.includes(customer));
  const missed = others.filter((n) => /Kizuna を閉じている間に \d+ 件の期限が来ました/.test(n.summary));
  assert.equal(missed.length, 1, `one summary at start: ${JSON.stringify(others.map((n) => n.summary))}`);
  assert.ok(others.length <= 2, `no burst: ${JSON.stringify(others.map((n) => n.summary))}`);

  // The badge counts it (due today).
  await app.waitFor(async () => Number((await app.findAll('[data-testid="due-badge"]')).length), 10000, 'the due badge');

  // Restarting the app does not repeat it.
  await app.quit();
  app = await start(home);
  await sleep(4000);
  assert.equal(server.matching(customer).length, 1, 'not repeated after a restart');

  // Snoozed in the Follow-ups view, it waits; snoozed to a moment, it comes back.
  await app.click('[data-testid="nav-followups"]');
  const row = `[data-testid="followup-item"][data-id="${planned.id}"]`;
  await app.find(row);
  await app.click(`${row} [data-testid="followup-snooze"]`);
  await app.click(`${row} [data-testid="snooze-one_hour"]`);
  await app.find(`${row}[data-bucket="snoozed"]`);
  const snoozed = await app.invoke('follow_ups', { mineOnly: true, includeDone: false, companyId });
  const again = secondsFromNow(3);
  await app.invoke('snooze_follow_up', { id: planned.id, version: snoozed[0].version, choice: { kind: 'at', at: again.toISOString() } });
  const [, second] = await waitForNotification(customer, 2, 15000);
  const delay2 = second.at * 1000 - again.getTime();
  assert.ok(delay2 >= 0 && delay2 <= 2000, `snooze ended ${delay2} ms late`);
  t.diagnostic(`snoozed follow-up notified ${Math.round(delay2)} ms after the snooze ended`);

  // A colleague, in another process, assigns me a follow-up due now: it
  // reaches my desktop although my app made no change itself.
  const db = status.database.path;
  const colleagueDue = secondsFromNow(3);
  const id = execFileSync(CLI, [
    '--db', db, '--as', 'sato', 'follow-up', '--to', status.user.login,
    '--company', customer, '--title', '佐藤さんからの引き継ぎ', '--at', colleagueDue.toISOString().replace(/\.\d+Z$/, 'Z'),
  ]).toString().trim();
  const handed = await waitForNotification('佐藤さんからの引き継ぎ', 1, 15000);
  const delay3 = handed[0].at * 1000 - colleagueDue.getTime();
  assert.ok(delay3 >= 0 && delay3 <= 2000, `the colleague's follow-up was notified ${delay3} ms late`);
  t.diagnostic(`colleague's follow-up (another process) notified ${Math.round(delay3)} ms after its due time`);

  // Clicking the notification opens Follow-ups at that record, with done / snooze.
  await app.click('[data-testid="nav-board"]');
  const mark = `[data-testid="followup-item"][data-id="${id}"][aria-current="true"]`;
  // The app hears clicks on a notification once its listener has subscribed
  // on the bus, a moment after the notification is up; on a loaded machine a
  // click in that moment goes unheard (a CI run saw it), and a person clicks
  // again. The listener ends after the first click it hears, so a second
  // click cannot open anything twice.
  await app.waitFor(
    async () => {
      server.click(handed[0].id);
      return app.find(mark, 3000).then(() => true, () => false);
    },
    15000,
    'the clicked notification to open its follow-up',
  );
  await app.find(`${mark} [data-testid="followup-done"]`);
  await app.find(`${mark} [data-testid="followup-snooze"]`);
  // Planned for me by a colleague: the row says by whom.
  assert.match(await app.text(`${mark} [data-testid="followup-handed-over-by"]`), /sato さんから引き継ぎ/);
  await app.screenshot('reminder-opened-ja');

  // Done, logging the call in the same step: it leaves the open list and
  // the cadence proposes the next follow-up.
  await app.click(`${mark} [data-testid="followup-done"]`);
  await app.find('[data-testid="complete-dialog"]');
  await app.click('[data-testid="complete-kind-call"]');
  await app.click('[data-testid="complete-submit"]');
  await app.find('[data-testid="follow-up-dialog"] [data-testid="cadence-proposal"]');
  await app.screenshot('cadence-proposal-ja');
  await app.click('[data-testid="fu-create"]');
  await app.waitFor(async () => !(await app.findAll(`[data-testid="followup-item"][data-id="${id}"]`)).length, 10000, 'the done follow-up to leave the open list');
  await app.click('[data-testid="followups-tab-done"]');
  await app.find(`[data-testid="followup-item"][data-id="${id}"][data-bucket="done"]`);
});

/** "HH:MM" in this machine's zone (the app's zone too), `minutes` from now. */
function hm(minutes) {
  const d = new Date(Date.now() + minutes * 60_000);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

async function setInput(css, value) {
  // WebKitGTK's time fields ignore typed keys under WebDriver: set the value
  // the way the user's choice arrives, as an input event.
  await app.exec(
    `const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true }));`,
    [css, value],
  );
}

test('quiet hours set in Settings hold a reminder until they end; the pushiness guard and the cadence speak up; nobody is forgotten', async () => {
  app = await start(freshHome());
  const customer = `静かな時間商会${Date.now() % 100000}`;
  const companyId = await app.invoke('create_company', {
    company: { name: customer, name_kana: 'しずかなじかんしょうかい', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
  });

  // Quiet now (from an hour ago to an hour ahead), every day a working day.
  await app.click('[data-testid="nav-settings"]');
  // The preferences load from the database after the section appears.
  await app.find('[data-testid="quiet-hours"]');
  if ((await app.exec(`return document.querySelector('[data-testid="quiet-hours"]').checked`)) === false) {
    await app.click('[data-testid="quiet-hours"]');
  }
  await app.find('[data-testid="quiet-start"]');
  await setInput('[data-testid="quiet-start"]', hm(-60));
  await setInput('[data-testid="quiet-end"]', hm(60));
  for (const day of [1, 2, 3, 4, 5, 6, 7]) {
    const pressed = await app.exec(`return document.querySelector('[data-testid="working-day-${day}"]').getAttribute('aria-pressed')`);
    if (pressed !== 'true') await app.click(`[data-testid="working-day-${day}"]`);
  }
  await app.click('[data-testid="notify-save"]');
  await app.find('[data-testid="notify-saved"]');
  await app.screenshot('settings-notifications-ja');

  // Start at login: the desktop's autostart entry appears, launching hidden in the tray.
  const home = app.home;
  const autostartDir = join(home, '.config', 'autostart');
  await app.waitFor(async () => (await app.exec(`return !document.querySelector('[data-testid="autostart"]').disabled`)), 10000, 'the autostart state');
  await app.click('[data-testid="autostart"]');
  const entry = await app.waitFor(() => existsSync(autostartDir) && readdirSync(autostartDir).find((f) => f.endsWith('.desktop')), 10000, 'an autostart entry');
  assert.match(readFileSync(join(autostartDir, entry), 'utf8'), /--hidden/);

  const due = secondsFromNow(2);
  await app.invoke('create_follow_up', {
    followUp: { kind: 'follow_up', title: '夜間は控える', due_at: due.toISOString(), assignee_id: null, company_id: companyId, deal_id: null, contract_id: null, activity_id: null },
  });
  await sleep(5000);
  assert.equal(server.matching(customer).length, 0, 'nothing shown in quiet hours');

  // Quiet hours off: what waited is shown at once.
  await app.click('[data-testid="quiet-hours"]');
  await app.click('[data-testid="notify-save"]');
  const saved = Date.now();
  await app.find('[data-testid="notify-saved"]');
  const [shown] = await waitForNotification(customer, 1, 10000);
  assert.ok(shown.at * 1000 - saved < 2000, 'shown as soon as quiet hours ended');

  // Three unanswered outbound touches this week: the logging form warns,
  // listing them, and the cadence has widened to 7 days.
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', customer);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  for (const summary of ['電話（不在）', '資料をメール', '再度お電話']) {
    await app.click('[data-testid="log-kind-call"]');
    await app.type('[data-testid="log-summary"]', summary);
    await app.click('[data-testid="log-save"]');
    await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="log-summary"]').value`)) === '', 10000, 'the touch to be logged');
  }
  await app.find('[data-testid="log-touch"] [data-testid="pushy-warning"]');
  const listed = await app.exec(`return [...document.querySelectorAll('[data-testid="pushy-touch"]')].map((e) => e.textContent)`);
  assert.equal(listed.length, 3);
  assert.ok(listed[0].includes('再度お電話'), `newest first: ${listed}`);
  const suggestion = await app.text('[data-testid="cadence-suggestion"]');
  assert.ok(suggestion.includes('7日後'), suggestion);
  await app.screenshot('pushy-warning-ja');

  // Planning one more from the customer page shows the same warning.
  await app.click('[data-testid="cadence-plan"]');
  await app.find('[data-testid="follow-up-dialog"] [data-testid="pushy-warning"]');
  await app.click('[data-testid="fu-create"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="follow-up-dialog"]')).length, 10000, 'the dialog to close');
  const planned = await app.invoke('follow_ups', { mineOnly: false, includeDone: false, companyId });
  const midnight = new Date().setHours(0, 0, 0, 0);
  const days = planned.map((f) => Math.floor((Date.parse(f.due_at) - midnight) / 86_400_000));
  assert.deepEqual(days.sort((a, b) => a - b), [0, 7], 'the one that waited out quiet hours, and the new one a week out');

  // Nobody forgotten, in English.
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.click('[data-testid="nav-followups"]');
  await app.click('[data-testid="followups-tab-forgotten"]');
  await app.find('[data-testid="nobody-forgotten"] [data-testid="forgotten-owner"]');
  const groups = await app.exec(`return [...document.querySelectorAll('[data-testid="forgotten-owner"] h2')].map((h) => h.textContent)`);
  assert.ok(groups.length >= 2, `grouped by owner: ${groups}`);
  assert.ok((await app.findAll('[data-testid="forgotten-customer"]')).length > 0, 'sample customers past their interval are listed');
  await app.screenshot('nobody-forgotten-en');
});

test('a notification that cannot be shown is reported inside the app', async () => {
  app = await start(freshHome());
  await app.invoke('save_notify_prefs', { prefs: ALWAYS });
  // The desktop's notification service goes away.
  await server.stop();
  try {
    const companyId = await app.invoke('create_company', {
      company: { name: '通知不能テスト', name_kana: '', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
    });
    await app.invoke('create_follow_up', {
      followUp: { kind: 'follow_up', title: '届かない通知', due_at: secondsFromNow(2).toISOString(), assignee_id: null, company_id: companyId, deal_id: null, contract_id: null, activity_id: null },
    });
    const toast = await app.waitFor(async () => {
      const texts = await app.exec(`return [...document.querySelectorAll('.toast')].map((t) => t.textContent)`);
      return texts.find((t) => t.includes('通知不能テスト'));
    }, 15000, 'the in-app message about the failed notification');
    assert.match(toast, /通知を表示できませんでした/);
    await app.screenshot('notification-failed-ja');
  } finally {
    server = await NotificationServer.start();
  }
});

test('a title with markup characters reaches a markup-reading notification server as text', async () => {
  // GNOME's and KDE's servers read the body as markup: "<b>" would turn bold
  // and a bare "&" break the notification, so Kizuna escapes for them —
  // and only for them, since a plain server would show "&amp;" as is.
  await server.stop();
  server = await NotificationServer.start({ markup: true });
  try {
    app = await start(freshHome());
    await app.invoke('save_notify_prefs', { prefs: ALWAYS });
    const companyId = await app.invoke('create_company', {
      company: { name: 'R&D <東京> 商事', name_kana: '', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
    });
    await app.invoke('create_follow_up', {
      followUp: { kind: 'follow_up', title: '<b>見積</b> & 契約書', due_at: secondsFromNow(2).toISOString(), assignee_id: null, company_id: companyId, deal_id: null, contract_id: null, activity_id: null },
    });
    const [n] = await waitForNotification('見積', 1, 15000);
    assert.match(n.body, /&lt;b&gt;見積&lt;\/b&gt; &amp; 契約書/);
    assert.ok(!/<b>|& /.test(n.body), `nothing left for the server to read as markup: ${n.body}`);
  } finally {
    await server.stop();
    server = await NotificationServer.start();
  }
});
