// End-to-end: sales and support on one team file, two real windows.
// Support logs a complaint → it is on the sales rep's customer timeline at
// once, without a reload, and opens the case from there; a case left
// without a first response past its target notifies its assignee once,
// through the real notification service (tests/notify-server.py).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, sleep, teamDesktop } from './wd.mjs';
import { NotificationServer } from './notify.mjs';

const apps = [];
let server;
before(async () => {
  server = await NotificationServer.start();
});
after(async () => {
  for (const a of apps) {
    await a.screenshot(`last-support-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
  await server?.stop();
});

// Notifications at any hour and any day, so the test does not depend on when CI runs.
const ALWAYS = { enabled: true, quiet_start: null, quiet_end: null, working_days: [1, 2, 3, 4, 5, 6, 7] };

async function waitForNotification(text, count, timeout) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const found = server.matching(text);
    if (found.length >= count) return found;
    await sleep(100);
  }
  throw new Error(`no notification naming ${text} (have: ${JSON.stringify(server.all().map((n) => n.summary))})`);
}

test('a complaint logged by support is on the sales rep’s timeline at once, and a case past its first-response target notifies its assignee once', async (t) => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  // Sato sells; Suzuki (new to the file) answers the phone.
  const rep = await App.launch({ home: teamDesktop(team), env: { USER: 'sato' } });
  apps.push(rep);
  const desk = await App.launch({ home: teamDesktop(team), env: { USER: 'suzuki' } });
  apps.push(desk);
  await answerWhoAreYou(rep, 'sato');
  await answerWhoAreYou(desk, '鈴木 サポート');
  await rep.find('[data-testid="deal-card"]');

  // The rep has a customer's page open.
  const [company] = await rep.invoke('companies', { query: { text: null, segment: null, owner_id: null, sort: 'name_kana' } });
  await rep.click('[data-testid="open-search"]');
  await rep.type('[data-testid="search-input"]', company.name);
  await rep.click('[data-testid="search-hit"][data-kind="companies"]');
  await rep.find('[data-testid="customer-page"]');
  await rep.find('[data-testid="timeline-entry"]');

  // Support takes a complaint on the phone, from the inbox.
  await desk.click('[data-testid="nav-support"]');
  await desk.find('[data-testid="inbox"]');
  await desk.click('[data-testid="case-new"]');
  await desk.find('[data-testid="case-dialog"]');
  await desk.type('[data-testid="case-company-filter"]', company.name);
  await desk.waitFor(async () => desk.exec(`return [...document.querySelectorAll('[data-testid="case-company"] option')].some((o) => o.value === arguments[0])`, [company.id]), 10000, 'the customer in the list');
  await desk.exec(
    `const s = document.querySelector('[data-testid="case-company"]'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));`,
    [company.id],
  );
  const subject = `請求額が見積と違うとの苦情${Date.now() % 10000}`;
  await desk.type('[data-testid="case-subject"]', subject);
  await desk.type('[data-testid="case-body"]', '先月分の請求書が見積より二割高い。至急説明してほしいとのこと。');
  await desk.click('[data-testid="case-category-complaint"]');
  await desk.click('[data-testid="case-create"]');
  await desk.find('[data-testid="case-page"]');
  const logged = Date.now();
  assert.equal(await desk.text('[data-testid="case-subject"]'), subject);

  // The rep's timeline shows it without a reload, and opens the case.
  const link = await rep.waitFor(
    async () => (await rep.exec(`return [...document.querySelectorAll('[data-testid="timeline-case-link"]')].some((l) => l.textContent.includes(arguments[0]))`, [subject])),
    10000,
    'the complaint on the rep’s timeline',
  );
  assert.ok(link);
  t.diagnostic(`the complaint reached the rep's timeline ${Date.now() - logged} ms after it was logged`);
  assert.match(await rep.exec(`return [...document.querySelectorAll('[data-testid="timeline-case-link"]')].map((l) => l.textContent).join('|')`), /苦情・電話/);
  await rep.screenshot('support-rep-timeline-ja');

  // Support answers and notes; the rep, on the case, sees both live.
  await rep.exec(`[...document.querySelectorAll('[data-testid="timeline-case-link"]')].find((l) => l.textContent.includes(arguments[0])).click()`, [subject]);
  await rep.find('[data-testid="case-page"]');
  await desk.type('[data-testid="composer-text"]', '経理に確認のうえ本日中にご連絡します。');
  await desk.click('[data-testid="composer-send"]');
  // As a person would: the reply is in the thread before the note is written
  // (typing while it is on its way would add to the reply's text).
  await desk.waitFor(async () => (await desk.findAll('[data-testid="case-event"][data-kind="reply"]')).length === 1, 10000, 'the reply on the page');
  await desk.click('[data-testid="composer-note"]');
  await desk.type('[data-testid="composer-text"]', '見積書の版違いの可能性。営業の佐藤さんに確認中。');
  await desk.click('[data-testid="composer-send"]');
  await rep.waitFor(async () => (await rep.findAll('[data-testid="case-event"][data-kind="note"]')).length === 1, 10000, 'the note in the rep’s window');
  assert.equal((await rep.findAll('[data-testid="case-event"][data-kind="reply"]')).length, 1);
  assert.equal(await rep.exec(`return document.querySelector('[data-testid="case-status"]').dataset.status`), 'in_progress');
  await desk.waitFor(async () => (await desk.findAll('[data-testid="case-event"][data-kind="note"]')).length === 1, 10000, 'the note on the page');
  await desk.screenshot('support-case-ja');

  // Support hands the complaint to the account owner from the case; the
  // step stands in the case's thread (the owner's follow-up and card origin
  // are proved in handoff::tests).
  await desk.click('[data-testid="case-to-sales"]');
  await desk.find('[data-testid="to-sales-owner"]');
  await desk.click('[data-testid="to-sales-kind-complaint"]');
  await desk.type('[data-testid="to-sales-note"]', '見積の版違いについて担当からご説明をお願いします。');
  await desk.click('[data-testid="to-sales-send"]');
  await desk.waitFor(
    async () => (await desk.findAll('[data-testid="case-event"][data-kind="handoff"]')).length === 1,
    10000,
    'the hand-to-sales step in the case’s thread',
  );
  await rep.waitFor(
    async () => (await rep.findAll('[data-testid="case-event"][data-kind="handoff"]')).length === 1,
    10000,
    'the hand-to-sales step in the rep’s open case',
  );

  // The found words: a piece of the body in the inbox's search box.
  await desk.click('[data-testid="case-back"]');
  await desk.click('[data-testid="inbox-tab-mine"]');
  await desk.type('[data-testid="inbox-search"]', '二割高い');
  await desk.exec(`document.querySelector('[data-testid="inbox-search"]').form.requestSubmit()`);
  await desk.waitFor(
    async () => (await desk.exec(`return [...document.querySelectorAll('[data-testid="inbox-row"]')].map((r) => r.textContent).join('|')`)).includes(subject),
    10000,
    'the case found by a piece of its body',
  );
  assert.equal((await desk.findAll('[data-testid="inbox-row"]')).length, 1);
  await desk.exec(`const i = document.querySelector('[data-testid="inbox-search"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true })); i.form.requestSubmit();`);

  // A case left without a first response past its target notifies its
  // assignee once. The office is open around the clock here, and the case
  // came in (urgent: one business hour) a few seconds short of an hour ago.
  const { settings, version } = await desk.invoke('team_settings');
  settings.business_hours = { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59', holidays: [] };
  await desk.invoke('update_team_settings', { version, settings });
  await desk.invoke('save_notify_prefs', { prefs: ALWAYS });
  await rep.invoke('save_notify_prefs', { prefs: ALWAYS });
  const me = (await desk.invoke('app_status')).user;
  const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5000);
  // "Around the clock" is 00:00–23:59: the minute before midnight is closed,
  // so an hour that spans it starts that much earlier (this test ran red
  // between midnight and 1 a.m. before).
  const anHourOfOpenTimeBefore = (end) => {
    const start = new Date(end.getTime() - 3600_000);
    const closedFrom = new Date(start);
    closedFrom.setHours(23, 59, 0, 0);
    const closedTo = new Date(closedFrom.getTime() + 60_000);
    const overlap = Math.max(0, Math.min(end.getTime(), closedTo.getTime()) - Math.max(start.getTime(), closedFrom.getTime()));
    return new Date(start.getTime() - overlap);
  };
  const late = `初回回答のない問い合わせ${Date.now() % 10000}`;
  await desk.invoke('open_case', {
    newCase: {
      id: null, company_id: company.id, contact_id: null, deal_id: null, contract_id: null,
      subject: late, body: '', channel: 'mail', category: 'trouble', priority: 'urgent',
      assignee_id: me.id, received_at: anHourOfOpenTimeBefore(due).toISOString().replace(/\.\d+Z$/, 'Z'),
    },
  });
  // About to breach: said at once (within the warning), once.
  const [soon] = await waitForNotification(late, 1, 15000);
  assert.match(soon.summary, /まもなく初回回答期限/);
  const [, breached] = await waitForNotification(late, 2, 20000);
  assert.match(breached.summary, /初回回答期限を過ぎました/);
  const delay = breached.at * 1000 - due.getTime();
  t.diagnostic(`the breach was notified ${Math.round(delay)} ms after the target`);
  assert.ok(delay >= -1000 && delay <= 3000, `notified ${delay} ms after the target`);
  await sleep(4000);
  assert.equal(server.matching(late).length, 2, `once each: ${JSON.stringify(server.matching(late).map((n) => n.summary))}`);

  // The inbox marks it: overdue, counted, with the time over in business time.
  await desk.click('[data-testid="inbox-tab-overdue"]');
  await desk.waitFor(async () => (await desk.exec(`return [...document.querySelectorAll('[data-testid="inbox-row"]')].map((r) => r.textContent).join('|')`)).includes(late), 10000, 'the late case in the overdue tab');
  assert.equal(await desk.exec(`return [...document.querySelectorAll('[data-testid="inbox-row"]')].find((r) => r.textContent.includes(arguments[0])).querySelector('[data-testid="sla-badge"]').dataset.state`, [late]), 'breached');
  await desk.click('[data-testid="inbox-tab-mine"]');
  await desk.waitFor(async () => (await desk.findAll('[data-testid="inbox-row"]')).length >= 2, 10000, 'my cases');
  await desk.screenshot('support-inbox-ja');

  // The same in English.
  await desk.click('[data-testid="nav-settings"]');
  await desk.click('[data-testid="settings-language-en"]');
  await desk.click('[data-testid="nav-support"]');
  await desk.click('[data-testid="inbox-tab-mine"]');
  await desk.waitFor(async () => (await desk.findAll('[data-testid="inbox-row"]')).length >= 2, 10000, 'my cases in English');
  assert.match(await desk.text('[data-testid="inbox-tab-overdue"]'), /Overdue/);
  await desk.screenshot('support-inbox-en');
  await desk.exec(`[...document.querySelectorAll('[data-testid="inbox-open"]')].find((b) => b.textContent.includes(arguments[0])).click()`, [subject]);
  await desk.find('[data-testid="case-page"]');
  await desk.waitFor(async () => (await desk.findAll('[data-testid="case-event"]')).length >= 3, 10000, 'the thread');
  assert.match(await desk.text('[data-testid="case-category"]'), /Complaint/);
  await desk.screenshot('support-case-en');
});
