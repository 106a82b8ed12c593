// End-to-end: follow-up sequences (追客シナリオ) in the real window. The team
// defines a sequence in Settings (an unknown placeholder is said while
// typing), enrols a deal from the customer page, the first automatic mail
// goes out through the member's SMTP account to a test SMTP server, the
// record shows it sent, and "they replied" beside that mail on the timeline
// stops the sequence. A lead that is not a customer yet is enrolled from
// its panel and written to the same way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';
import { connectMail, freePort, parseMail, received, startSmtp } from './smtp.mjs';

const apps = [];
let server;
after(async () => {
  server?.stop();
  for (const a of apps) {
    await a.screenshot('last-sequences').catch(() => {});
    await a.quit();
  }
});

test('a sequence defined in Settings sends its first mail for an enrolled deal, and "they replied" stops it', async (t) => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const app = await App.launch({ home: teamDesktop(team), env: { USER: 'sato' } });
  apps.push(app);
  await answerWhoAreYou(app, 'sato');
  await app.find('[data-testid="deal-card"]');

  // A new customer nobody has touched yet (so the pushiness guard lets the
  // first mail through), with the person to write to and an open deal.
  const company = `株式会社追客テスト${Date.now() % 100000}`;
  const companyId = await app.invoke('create_company', {
    company: { name: company, name_kana: 'ついきゃくてすと', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
  });
  await app.invoke('create_contact', {
    contact: { company_id: companyId, name: '山田 太郎', name_kana: 'やまだ たろう', title: '部長', email: 'yamada@example.co.jp', phone: '' },
  });
  const [pipeline] = await app.invoke('pipelines');
  const stage = pipeline.stages.find((s) => s.kind === 'open');
  await app.invoke('create_deal', {
    deal: {
      pipeline_id: pipeline.pipeline.id, stage_id: stage.id, company_id: companyId, contact_id: null, title: '基幹システム刷新（追客）',
      amount: 1200000, currency: 'JPY', owner_id: null, expected_close: null, decision_deadline: null, notes: '',
    },
  });

  // Settings → 追客シナリオ: a new sequence; a typo in a placeholder is said at once.
  await app.click('[data-testid="nav-settings"]');
  await app.find('[data-testid="settings-sequences"]');
  await app.exec(`document.querySelector('[data-testid="settings-sequences"]').scrollIntoView()`);
  await app.clickUntil('[data-testid="sequence-new"]', '[data-testid="sequence-name"]');
  await app.type('[data-testid="sequence-name"]', 'E2E 資料送付フォロー');
  await app.type('[data-testid="sequence-step-subject"]', '{{会社名}} 資料送付のご連絡');
  await app.type('[data-testid="sequence-step-body"]', '{{会社名}}\n{{ご担当社名}}\n\n資料をお送りします。\n\n{{署名}}');
  const warned = await app.find('[data-testid="sequence-unknown"]');
  assert.match(await warned.getText?.() ?? (await app.text('[data-testid="sequence-unknown"]')), /ご担当社名/);
  await app.exec(`const b = document.querySelector('[data-testid="sequence-step-body"]'); b.value = ''; b.dispatchEvent(new Event('input', { bubbles: true }));`);
  // WebKitWebDriver drops "\n" from typed keys: the lines are set as a paste would.
  await app.exec(
    `const b = document.querySelector('[data-testid="sequence-step-body"]'); b.value = arguments[0]; b.dispatchEvent(new Event('input', { bubbles: true }));`,
    ['{{会社名}}\n{{ご担当者名}}\n\n資料をお送りします。\n\n{{署名}}'],
  );
  await app.waitFor(async () => (await app.findAll('[data-testid="sequence-unknown"]')).length === 0, 5000, 'the warning to go');
  await app.screenshot('sequences-editor-ja');
  await app.click('[data-testid="sequence-save"]');
  await app.find('[data-testid="sequence-row"][data-name="E2E 資料送付フォロー"]');
  const sequence = (await app.invoke('sequences')).find((s) => s.name === 'E2E 資料送付フォロー');
  assert.deepEqual(sequence.steps.map((s) => s.kind), ['mail', 'wait', 'call']);
  assert.equal(sequence.steps[0].automatic, true);

  // The member's account on this computer, pointed at a real SMTP server.
  const inbox = join(freshHome('kizuna-smtp-'), 'inbox');
  const port = await freePort();
  server = await startSmtp(port, inbox);
  await connectMail(app, port);

  // The customer's page: enrol the deal.
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', company);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  await app.find('[data-testid="sequence-panel"] [data-testid="enrol-sequence"]');
  await app.choose('[data-testid="enrol-sequence"]', sequence.id);
  await app.click('[data-testid="enrol-submit"]');

  // The runner sends the first step at once (the enrolment pokes it).
  const sent = await waitForSent(app, t);
  await app.screenshot('sequences-sent-ja');
  assert.equal(sent.count, 1);
  // Exactly that mail reached the server, in the Japanese the template made.
  await app.waitFor(async () => received(inbox).length === 1, 10000, 'the mail at the SMTP server');
  const mail = parseMail(inbox, received(inbox)[0]);
  assert.equal(mail.to_address, 'yamada@example.co.jp');
  assert.match(mail.subject, /資料送付のご連絡/);
  assert.match(mail.body, /山田 太郎 様/);

  // The timeline shows the mail with its exact text; "they replied" beside it stops the sequence.
  const mailEntry = await app.waitFor(
    async () => (await app.findAll('[data-testid="timeline-they-replied"]')).length === 1,
    15000,
    'the sent mail on the timeline',
  );
  assert.ok(mailEntry);
  const body = await app.exec(
    `return [...document.querySelectorAll('[data-testid="timeline-entry"]')].find((e) => e.querySelector('[data-testid="timeline-they-replied"]')).textContent`,
  );
  assert.match(body, /山田 太郎 様/);
  assert.match(body, /資料送付のご連絡/);
  await app.click('[data-testid="timeline-they-replied"]');
  await app.waitFor(
    async () => (await app.exec(`return document.querySelector('[data-testid="enrolment"]')?.dataset.stopReason`)) === 'replied',
    15000,
    'the sequence stopped by the reply',
  );
  assert.equal(await app.exec(`return document.querySelector('[data-testid="enrolment"]').dataset.status`), 'stopped');
  assert.match(await app.text('[data-testid="enrolment-stopped"]'), /返信あり/);
  await app.screenshot('sequences-replied-ja');

  // A lead from the web form, not yet a customer: enrolled from its panel,
  // written to as it reached us; its history keeps the mail, and "they
  // replied" there stops it.
  const n = Date.now() % 100000;
  const leadId = execFileSync(CLI, [
    '--db', team, '--as', 'webform', 'lead', 'add', '--source', 'web_form',
    '--company', `有限会社リード追客${n}`, '--name', '佐々木 花子', '--mail', `hanako${n}@lead-example.jp`, '--message', '資料をください',
  ]).toString().trim();
  await app.click('[data-testid="nav-leads"]');
  const row = `[data-testid="lead-row"][data-id="${leadId}"]`;
  await app.waitFor(async () => (await app.findAll(row)).length > 0, 15000, 'the lead in the inbox');
  await app.click(row);
  await app.find('[data-testid="lead-panel"] [data-testid="sequence-panel"] [data-testid="enrol-sequence"]');
  await app.choose('[data-testid="lead-panel"] [data-testid="enrol-sequence"]', sequence.id);
  await app.click('[data-testid="lead-panel"] [data-testid="enrol-submit"]');
  await app.waitFor(async () => received(inbox).length === 2, 60000, 'the lead’s mail at the SMTP server');
  const leadMail = parseMail(inbox, received(inbox)[1]);
  assert.equal(leadMail.to_address, `hanako${n}@lead-example.jp`);
  assert.match(leadMail.subject, new RegExp(`有限会社リード追客${n} 資料送付のご連絡`));
  // Line for line as the template has it.
  assert.match(leadMail.body, new RegExp(`^有限会社リード追客${n}\r?\n佐々木 花子 様\r?\n\r?\n資料をお送りします。`));
  await app.waitFor(
    async () => (await app.findAll('[data-testid="lead-history"] li[data-kind="sequence_mail"]')).length === 1,
    15000,
    'the sent mail on the lead’s history',
  );
  assert.match(await app.text('[data-testid="lead-history"] li[data-kind="sequence_mail"]'), /佐々木 花子 様/);
  await app.click('[data-testid="lead-panel"] [data-testid="enrolment-replied"]');
  await app.waitFor(
    async () => (await app.exec(`return document.querySelector('[data-testid="lead-panel"] [data-testid="enrolment"]')?.dataset.stopReason`)) === 'replied',
    15000,
    'the lead’s sequence stopped by the reply',
  );
  await app.screenshot('sequences-lead-ja');

  // A computer that stopped mid-send left a mail whose fate is unknown (as
  // the ledger records it once the claim has run out): Settings asks the
  // member, who found it was not sent.
  const me = (await app.invoke('app_status')).user.id;
  const sql = (script, ...args) =>
    execFileSync('/usr/bin/python3', ['-c', `import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=10); ${script}`, team, ...args]).toString().trim();
  sql(
    `c.execute("INSERT INTO mail_sends (key, member_id, state, computer_id, claimed_at, finished_at, to_name, to_address, subject, body) VALUES ('seq:e2e-unknown:0', ?, 'unknown', 'other-pc', '2026-11-30T01:00:00Z', '2026-11-30T01:20:00Z', '山田 太郎', 'yamada@example.co.jp', '見積書送付のご連絡', '本文')", (sys.argv[2],)); c.commit()`,
    me,
  );
  await app.click('[data-testid="nav-settings"]');
  const unknown = '[data-testid="mail-attention-row"][data-key="seq:e2e-unknown:0"]';
  await app.find(unknown);
  await app.exec(`document.querySelector(arguments[0]).scrollIntoView()`, [unknown]);
  assert.match(await app.text(unknown), /見積書送付のご連絡/);
  await app.screenshot('mail-attention-ja');
  await app.click(`${unknown} [data-testid="mail-attention-send-again"]`);
  await app.waitFor(async () => (await app.findAll(unknown)).length === 0, 10000, 'the decided mail to leave the list');
  assert.equal(sql(`print(c.execute("SELECT state FROM mail_sends WHERE key = 'seq:e2e-unknown:0'").fetchone()[0])`), 'failed');
});

/** Waits until the enrolment on the page shows its first mail sent; a send error fails with its words. */
async function waitForSent(app) {
  let state = null;
  await app.waitFor(
    async () => {
      state = await app.exec(`
        const e = document.querySelector('[data-testid="enrolment"]');
        if (!e) return null;
        const sent = e.querySelector('[data-testid="enrolment-sent"]');
        const error = e.querySelector('[data-testid="enrolment-error"]');
        return { count: sent ? Number(sent.dataset.count) : 0, failure: error ? error.textContent : null };`);
      return state !== null && (state.count > 0 || state.failure !== null);
    },
    60000,
    'the first mail sent (or its error)',
  );
  assert.equal(state.failure, null, `the send failed: ${state.failure}`);
  return state;
}
