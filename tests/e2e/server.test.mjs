// End-to-end: two colleagues' real Kizuna windows on one team server. Each
// connects in Settings → Team server with their own login (the password
// goes to the credential store), the status bar names the team server, the
// board is the team's as copied from its file, and a deal one renames shows
// in the other window without a reload (the server's change feed), where a
// half-typed edit of the same deal then meets it side by side; search
// finds a customer there by its Japanese name; a follow-up a colleague
// plans is notified to its person once; work saved while the server is
// away waits in the outbox and goes in once when it is back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { App, CLI, freshHome, openFirstCustomer, startOnSample } from './wd.mjs';
import { NotificationServer } from './notify.mjs';
import { TestServer } from './pg.mjs';

const apps = [];
let server;
let notifications;
after(async () => {
  for (const a of apps) {
    await a.screenshot(`last-server-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
  server?.stop();
  await notifications?.stop();
});

const PASSWORDS = { sato: 'sato-Passw0rd-1', suzuki: 'suzuki-Passw0rd-2' };

const cardTitles = (app) =>
  app.exec(`return [...document.querySelectorAll('[data-testid="deal-card"]')].map((c) => [c.dataset.dealId, c.querySelector('.title').textContent.trim()])`);

/** The team server form (Settings, or the first-run dialog), filled in as a member would, then Connect. */
async function connect(app, login, password) {
  await app.find('[data-testid="team-server-settings"] [data-testid="server-host"]');
  await app.type('[data-testid="server-host"]', '127.0.0.1');
  await app.type('[data-testid="server-port"]', String(server.port));
  await app.type('[data-testid="server-database"]', 'kizuna');
  await app.type('[data-testid="server-user"]', login);
  await app.type('[data-testid="server-password"]', password);
  await app.choose('[data-testid="server-tls"]', 'off');
  await app.click('[data-testid="server-connect"]');
  await app.waitFor(
    async () => (await app.attr(await app.find('[data-testid="status-db-kind"]'), 'data-kind')) === 'server',
    20000,
    'the status bar to name the team server',
  );
}

test('two members on one team server: connected in Settings, the board is the team’s, a rename shows in the other window at once, a colleague’s follow-up is notified once', async () => {
  server = await TestServer.start();
  notifications = await NotificationServer.start();
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  server.setUpTeam(team, PASSWORDS);

  const a = await App.launch({ home: freshHome('kizuna-desk-'), env: { USER: 'sato' } });
  apps.push(a);
  const b = await App.launch({ home: freshHome('kizuna-desk-'), env: { USER: 'suzuki' } });
  apps.push(b);
  // Sato tries the sample first and connects later in Settings; Suzuki
  // connects from the first-run question.
  await startOnSample(a, 'サンプル');

  // A wrong password is refused, in Japanese, and the form keeps what was typed.
  await a.click('[data-testid="nav-settings"]');
  await a.find('[data-testid="team-server-settings"] [data-testid="server-host"]');
  await a.type('[data-testid="server-host"]', '127.0.0.1');
  await a.type('[data-testid="server-port"]', String(server.port));
  await a.type('[data-testid="server-user"]', 'sato');
  await a.type('[data-testid="server-password"]', 'wrong-password');
  await a.choose('[data-testid="server-tls"]', 'off');
  await a.click('[data-testid="server-connect"]');
  const refused = await a.find('[data-testid="server-error"]', 20000);
  assert.equal(await a.attr(refused, 'data-code'), 'server_auth');
  assert.match(await a.text('[data-testid="server-error"]'), /パスワード|ログイン/);
  assert.equal(await a.exec(`return document.querySelector('[data-testid="server-user"]').value`), 'sato');
  assert.equal(await a.attr(await a.find('[data-testid="status-db-kind"]'), 'data-kind'), 'file');
  await a.screenshot('server-refused-ja');

  await connect(a, 'sato', PASSWORDS.sato);
  await b.click('[data-testid="first-run-server"] summary');
  await connect(b, 'suzuki', PASSWORDS.suzuki);
  assert.equal((await b.findAll('[data-testid="first-run"]')).length, 0, 'the first-run question is answered');
  assert.match(await a.text('[data-testid="status-db-path"]'), new RegExp(`sato@127\\.0\\.0\\.1:${server.port}/kizuna`));
  assert.equal(await a.attr(await a.find('[data-testid="server-password-state"]'), 'data-saved'), 'true');
  await a.screenshot('server-connected-ja');
  // Backups are the server's (IT's), and a file's encryption does not apply.
  await a.find('[data-testid="backups-on-server"]');
  assert.equal((await a.findAll('[data-testid="settings-encryption"]')).length, 0);

  // Sato is the member the demo made from his login; Suzuki joined under his.
  const me = async (app) => (await app.invoke('app_status')).user;
  assert.equal((await me(a)).login, 'sato');
  assert.equal((await me(b)).login, 'suzuki');
  assert.equal((await me(b)).display_name, 'suzuki');

  // The board is the team's, read from the server.
  await a.click('[data-testid="nav-board"]');
  await b.click('[data-testid="nav-board"]');
  await a.find('[data-testid="deal-card"]');
  await b.find('[data-testid="deal-card"]');
  await a.screenshot('server-board-ja');
  const [dealId, oldTitle] = (await cardTitles(a))[0];
  assert.equal(server.psql(`SELECT title FROM deals WHERE id = '${dealId}'`, 'kizuna'), oldTitle);
  const card = `[data-testid="deal-card"][data-deal-id="${dealId}"]`;

  // Suzuki starts editing the deal's notes and has not saved yet.
  await b.click(card);
  await b.find('[data-testid="deal-dialog"]');
  await b.waitFor(async () => (await b.exec(`return document.querySelector('[data-testid="deal-title"]').value`)) === oldTitle, 10000, 'the form filled');
  const typed = '先方の稟議は来週。鈴木メモ';
  await b.type('[data-testid="deal-notes"]', typed);

  // Sato renames it and saves.
  const newTitle = `${oldTitle}（サーバー${Date.now() % 1000}）`;
  await a.click(card);
  await a.find('[data-testid="deal-dialog"]');
  await a.waitFor(async () => (await a.exec(`return document.querySelector('[data-testid="deal-title"]').value`)) === oldTitle, 10000, 'the form filled');
  await a.type('[data-testid="deal-title"]', newTitle);
  await a.click('[data-testid="deal-save"]');
  await a.waitFor(async () => !(await a.findAll('[data-testid="deal-dialog"]')).length, 10000, 'the save');
  const saved = Date.now();

  // Suzuki's board, behind the open dialog, shows it without a reload.
  await b.waitFor(async () => (await cardTitles(b)).some(([id, t]) => id === dealId && t === newTitle), 10000, 'the rename in the other window');
  console.log(`# a colleague's save on the server appeared in the other window after ${Date.now() - saved} ms`);
  assert.equal(await b.exec(`return document.querySelector('[data-testid="deal-notes"]').value`), typed);

  // Saving meets Sato's version side by side, nothing overwritten.
  await b.click('[data-testid="deal-save"]');
  await b.find('[data-testid="conflict-panel"]');
  assert.equal(await b.text('[data-testid="conflict-row"][data-field="title"] [data-testid="conflict-theirs"]'), newTitle);
  assert.equal(await b.text('[data-testid="conflict-row"][data-field="notes"] [data-testid="conflict-mine"]'), typed);
  await b.screenshot('server-conflict-ja');
  assert.equal((await b.invoke('deal', { id: dealId })).title, newTitle);

  // Search (Ctrl+K) finds a customer on the server by its Japanese name, and
  // its page opens with its timeline.
  const company = await openFirstCustomer(a);
  assert.ok((await a.exec('return document.body.innerText')).includes(company.name), 'the customer page names the customer');
  await a.screenshot('server-customer-ja');
  // A two-character word, which the server finds from its pair index
  // (timeline/server_search.rs): every hit shown holds it, marked.
  await a.click('[data-testid="open-search"]');
  await a.type('[data-testid="search-input"]', '見積');
  const marks = await a.waitFor(async () => {
    const m = await a.exec(`return [...document.querySelectorAll('[data-testid="search-hit"] mark')].map((x) => x.textContent)`);
    return m.length > 0 ? m : null;
  }, 10000, 'the hits of 見積');
  assert.ok(marks.every((m) => m === '見積'), `only 見積 is marked: ${marks}`);
  await a.screenshot('server-search-two-characters-ja');
  await a.click('[data-testid="search-dialog"] [data-testid="modal-close"]');
  await a.waitFor(async () => (await a.findAll('[data-testid="search-dialog"]')).length === 0, 10000, 'the search closed');

  // Suzuki plans a follow-up for Sato a few seconds ahead: Sato's desktop
  // notifies him through the desktop's notification service, once.
  await a.invoke('save_notify_prefs', { prefs: { enabled: true, quiet_start: null, quiet_end: null, working_days: [1, 2, 3, 4, 5, 6, 7] } });
  const title = `サーバー経由の確認${Date.now() % 100000}`;
  const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000);
  await b.invoke('create_follow_up', {
    followUp: { kind: 'follow_up', title, due_at: due.toISOString(), assignee_id: (await me(a)).id, company_id: company.id, deal_id: null, contract_id: null, activity_id: null },
  });
  await a.waitFor(async () => notifications.matching(title).length > 0, 20000, 'the notification of the colleague’s follow-up');
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(notifications.matching(title).length, 1, 'notified once');
  console.log(`# notified ${Math.round(notifications.matching(title)[0].at * 1000 - due.getTime())} ms after it fell due`);

  // The server goes away (a laptop on a train, a restart): the window says
  // so, a call logged meanwhile waits in the outbox, and goes in once the
  // server is back, exactly once; the colleague's window catches up.
  const state = (app) => app.exec(`return document.querySelector('[data-testid="status-connection"]')?.dataset.state`);
  server.stop();
  const stopped = Date.now();
  await a.waitFor(async () => (await state(a)) === 'unreachable', 15000, 'the unreachable state');
  console.log(`# the stopped server was reported after ${Date.now() - stopped} ms`);
  const summary = `車内から記録した電話${Date.now() % 10000}`;
  await a.click('[data-testid="log-kind-call"]');
  await a.type('[data-testid="log-summary"]', summary);
  await a.click('[data-testid="log-save"]');
  await a.waitFor(async () => (await a.exec(`return document.querySelector('[data-testid="status-outbox"]')?.dataset.pending`)) === '1', 10000, 'one item waiting');
  assert.equal(await a.exec(`return document.querySelector('[data-testid="log-summary"]').value`), '', 'the form was cleared: the work is safe');
  await a.screenshot('server-outbox-ja');
  server.startAgain();
  const back = Date.now();
  await a.waitFor(async () => (await state(a)) === 'connected', 20000, 'connected again');
  await a.waitFor(async () => (await a.findAll('[data-testid="status-outbox"]')).length === 0, 20000, 'the outbox drained');
  console.log(`# the outbox drained ${Date.now() - back} ms after the server came back`);
  const onTimeline = (app) => app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].some((e) => e.textContent.includes(arguments[0]))`, [summary]);
  await a.waitFor(() => onTimeline(a), 15000, 'the call on the timeline');
  assert.equal(server.psql(`SELECT COUNT(*) FROM activities WHERE summary = '${summary}'`, 'kizuna'), '1', 'in the team once');
  await b.waitFor(async () => (await state(b)) === 'connected', 20000, 'the colleague connected again');

  // The row is on the server, written by Sato's own login (the audit log's role).
  assert.equal(server.psql(`SELECT title FROM deals WHERE id = '${dealId}'`, 'kizuna'), newTitle);
  assert.equal(server.psql(`SELECT db_role FROM audit_log WHERE entity_id = '${dealId}' ORDER BY at DESC, id DESC LIMIT 1`, 'kizuna'), 'sato');

  // The manager's screens read the server too: the dashboard, the week's
  // sales meeting, and the change history, which lists Sato's rename.
  const sato = await me(a);
  const roles = (await a.invoke('app_status')).roles;
  if (!roles.includes('manager')) {
    await a.invoke('set_member_roles', { id: sato.id, version: sato.version, roles: [...roles, 'manager'] });
    await a.exec('location.reload()');
    await a.waitFor(async () => (await a.invoke('app_status')).roles.includes('manager'), 15000, 'a manager');
  }
  const chart = '[data-testid="chart-pipeline_count"]';
  await a.click('[data-testid="nav-dashboard"]');
  await a.find(`${chart} [data-testid="chart-plot"]`, 30000);
  await a.waitFor(async () => Number(await a.exec(`return document.querySelector(arguments[0]).dataset.painted`, [chart])) > 0, 15000, 'the chart painted');
  await a.click(`${chart} [data-testid="chart-table-toggle"]`);
  const rows = await a.exec(`return [...document.querySelectorAll(arguments[0] + ' [data-testid="chart-table"] tbody tr')].map((r) => [...r.children].map((c) => c.textContent.trim()))`, [chart]);
  const firstPipeline = server.psql(`SELECT id FROM pipelines WHERE deleted_at IS NULL ORDER BY position, id LIMIT 1`, 'kizuna');
  const openDeals = server.psql(
    `SELECT COUNT(*) FROM deals d JOIN stages s ON s.id = d.stage_id JOIN companies c ON c.id = d.company_id
      WHERE d.pipeline_id = '${firstPipeline}' AND s.kind = 'open' AND d.deleted_at IS NULL AND c.deleted_at IS NULL AND c.archived_at IS NULL`,
    'kizuna',
  );
  assert.equal(rows.reduce((sum, r) => sum + Number(r[1].replace(/\D/g, '')), 0), Number(openDeals), `the chart's open deals: ${JSON.stringify(rows)}`);
  await a.screenshot('server-dashboard-ja');
  await a.click('[data-testid="nav-meeting"]');
  await a.find('[data-testid="meeting-member"]', 30000);
  assert.ok((await a.text('[data-testid="meeting-view"]')).includes(sato.display_name), 'Sato has his turn in the meeting');
  await a.click('[data-testid="nav-settings"]');
  await a.find('[data-testid="settings-audit"]');
  await a.waitFor(
    async () => a.exec(`return [...document.querySelectorAll('[data-testid="audit-entry"]')].some((e) => e.textContent.includes(arguments[0]))`, [newTitle]),
    15000,
    'the rename in the change history',
  );
  await a.exec(`document.querySelector('[data-testid="settings-audit"]').scrollIntoView({ block: 'start' })`);
  await a.screenshot('server-audit-ja');
});
