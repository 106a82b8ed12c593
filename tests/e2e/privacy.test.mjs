// End-to-end: the audit trail and a personal-data erasure (issue 20).
// Settings → 変更履歴 in Japanese and English with a member filter, a
// customer page's 変更履歴 link opening it filtered to that customer with a
// field's before and after, and a contact erased through the confirmation
// dialog, after which search finds nothing of them. Screenshots in both
// languages.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';

let app;
afterEach(async () => {
  if (!app) return;
  await app.screenshot('last-privacy').catch(() => {});
  await app.quit();
  app = undefined;
});

const NAME = '鷲頭 瑠璃子';

async function scrollTo(css) {
  await app.exec(`document.querySelector(arguments[0])?.scrollIntoView({ block: 'start' })`, [css]);
}

const entries = () =>
  app.exec(`return [...document.querySelectorAll('[data-testid="audit-entry"]')].map((e) => e.textContent)`);

test('the change history filters by member and customer in both languages; an erased contact is found nowhere', async () => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, 'demo', '--lang', 'ja']);
  app = await App.launch({ home: teamDesktop(team), env: { USER: 'tanaka' } });
  await answerWhoAreYou(app, '田中 太郎');
  let status = await app.invoke('app_status');
  await app.invoke('set_member_roles', { id: status.user.id, version: status.user.version, roles: ['sales', 'manager'] });
  // The window reads the roles afresh on a reload.
  await app.exec('location.reload()');
  await app.waitFor(async () => (await app.invoke('app_status')).roles.includes('manager'), 15000, 'a manager');
  await app.find('[data-testid="nav-customers"]');

  // A contact of the first customer, edited once, and a touch with them.
  const [company] = await app.invoke('companies', { query: { text: null, segment: null, owner_id: null, sort: 'name_kana', include_archived: false } });
  const person = await app.invoke('create_contact', {
    contact: { company_id: company.id, name: NAME, name_kana: 'わしず るりこ', title: '課長', email: 'ruriko.washizu@example.jp', phone: '090-4417-2863' },
  });
  await app.invoke('update_contact', {
    id: person,
    version: 1,
    edit: { name: NAME, name_kana: 'わしず るりこ', title: '部長', email: 'ruriko.washizu@example.jp', phone: '090-4417-2863' },
  });
  await app.invoke('log_activity', {
    activity: {
      company_id: company.id, contact_ids: [person], deal_id: null, kind: 'meeting', direction: 'outbound',
      occurred_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), summary: `${NAME}様と打合せ`, body: '携帯 090-4417-2863 に折り返し',
      minutes: '', next_todos: '', next_appointment_at: null, signals: [],
    },
  });

  // The customer's page links to its own history: filtered, with the title before and after.
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', company.name);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  await app.click('[data-testid="customer-history"]');
  await app.find('[data-testid="audit-customer-chip"]');
  await app.waitFor(async () => (await entries()).some((t) => t.includes('部長')), 15000, 'the contact edit listed');
  const titleChange = await app.exec(
    `const f = [...document.querySelectorAll('[data-testid="audit-field"][data-field="title"]')][0];
     return f ? [f.querySelector('[data-testid="audit-before"]')?.textContent, f.querySelector('[data-testid="audit-after"]')?.textContent] : null`,
  );
  assert.deepEqual(titleChange, ['課長', '部長']);
  const companies = await app.exec(
    `return [...document.querySelectorAll('[data-testid="audit-entry"]')].every((e) => e.textContent.includes(arguments[0]))`,
    [company.name],
  );
  assert.ok(companies, 'every entry is about the customer');
  await scrollTo('[data-testid="settings-audit"]');
  await app.screenshot('audit-customer-ja');

  // Filter by member: a colleague from the sample has entries of their own, none of mine.
  await app.click('[data-testid="audit-customer-clear"]');
  const me = (await app.invoke('app_status')).user;
  await app.choose('[data-testid="audit-member"]', me.id);
  await app.waitFor(async () => {
    const list = await entries();
    return list.length > 0 && list.every((t) => t.includes('田中 太郎'));
  }, 15000, 'only my changes');
  await scrollTo('[data-testid="settings-audit"]');
  await app.screenshot('audit-member-ja');

  // The same screen in English.
  await scrollTo('[data-testid="settings-language"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.waitFor(async () => (await app.text('#settings-audit-title')) === 'Change history', 15000, 'English');
  await app.waitFor(async () => (await entries()).some((t) => t.includes('Changed')), 15000, 'actions in English');
  await scrollTo('[data-testid="settings-audit"]');
  await app.screenshot('audit-member-en');
  await scrollTo('[data-testid="settings-language"]');
  await app.click('[data-testid="settings-language-ja"]');
  await app.waitFor(async () => (await app.text('#settings-audit-title')) === '変更履歴', 15000, 'Japanese again');

  // Erase the contact through the dialog: the name typed, then search finds nothing of them.
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', company.name);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find(`[data-testid="company-contact"][data-contact-id="${person}"]`);
  await app.click(`[data-contact-id="${person}"] [data-testid="contact-erase"]`);
  await app.find('[data-testid="erase-counts"]');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="erase-start"]').disabled`), true, 'off until the name is typed');
  await app.type('[data-testid="erase-confirm"]', '鷲頭瑠璃子');
  await app.waitFor(async () => !(await app.exec(`return document.querySelector('[data-testid="erase-start"]').disabled`)), 5000, 'the button on');
  await app.screenshot('erase-dialog-ja');
  await app.click('[data-testid="erase-start"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="erase-dialog"]')).length, 30000, 'the erasure done');
  await app.waitFor(async () => !(await app.findAll(`[data-contact-id="${person}"]`)).length, 10000, 'the contact off the page');
  await app.screenshot('erased-ja');

  for (const query of [NAME, '瑠璃子', 'washizu', '4417']) {
    const found = await app.invoke('search', { query });
    const hits = ['companies', 'contacts', 'deals', 'activities'].flatMap((k) => found[k].hits.map((h) => h.title));
    assert.deepEqual(hits, [], `${query} finds nothing`);
  }
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', '瑠璃子');
  await app.waitFor(async () => (await app.findAll('[data-testid="search-hit"]')).length === 0, 5000, 'no hits in the window');
  await app.screenshot('erased-search-ja');
  const timeline = await app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => e.textContent).join(' | ')`);
  assert.ok(!timeline.includes('瑠璃子'), timeline);
});
