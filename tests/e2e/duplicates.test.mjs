// End-to-end: one customer typed two ways. The Duplicates view lists the
// pair with why it matches; merging in the dialog puts both histories on the
// survivor's timeline with the merge itself; a colleague who had the
// merged-away customer open ends up on the survivor, told so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';

const apps = [];
after(async () => {
  for (const a of apps) {
    await a.screenshot(`last-duplicates-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
});

const company = (name, name_kana, phone, website = '') => ({
  company: { name, name_kana, industry: '', segment: null, owner_id: null, address: '', phone, website, tags: [] },
});

const touch = (company_id, summary, occurred_at) => ({
  activity: {
    company_id,
    contact_ids: [],
    deal_id: null,
    kind: 'call',
    direction: 'outbound',
    occurred_at,
    summary,
    body: '',
    minutes: '',
    next_todos: '',
    next_appointment_at: null,
    signals: [],
  },
});

const entryTexts = (app) =>
  app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => e.textContent)`);

test('two spellings of one customer are listed with the reason, merged in the dialog, and a colleague’s open page follows', async () => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const a = await App.launch({ home: teamDesktop(team), env: { USER: 'sato' } });
  apps.push(a);
  const b = await App.launch({ home: teamDesktop(team), env: { USER: 'suzuki' } });
  apps.push(b);
  await answerWhoAreYou(a, 'sato');
  await answerWhoAreYou(b, '鈴木');
  await a.find('[data-testid="deal-card"]');

  // Typed by two people in two years.
  const keep = await a.invoke('create_company', company('株式会社 絆テスト商事', 'きずなてすとしょうじ', '03-5555-0101'));
  const dup = await a.invoke('create_company', company('絆テスト商事（株）', 'キズナテストショウジ', '+81-3-5555-0101'));
  await a.invoke('log_activity', touch(keep, '見積の件で電話', '2026-01-10T01:00:00Z'));
  await a.invoke('log_activity', touch(dup, '請求書の宛名を確認', '2026-01-12T01:00:00Z'));
  // A second pair, for the English list.
  await a.invoke('create_company', company('Acme Co., Ltd.', '', '', 'https://www.acme-test.co.jp'));
  await a.invoke('create_company', company('ACME Inc.', '', '', 'acme-test.co.jp/about'));

  // Suzuki has the duplicate open.
  await b.click('[data-testid="nav-customers"]');
  await b.click(`[data-testid="customer-row"][data-company-id="${dup}"] [data-testid="customer-open"]`);
  await b.find(`[data-testid="customer-page"][data-company-id="${dup}"]`);

  // Sato opens the Duplicates view: the pair, with why.
  await a.click('[data-testid="nav-duplicates"]');
  const pair = `[data-testid="duplicate-pair"][data-first="${keep}"][data-second="${dup}"]`;
  await a.find(pair);
  const reasons = await a.exec(`return [...document.querySelectorAll('${pair} [data-testid="duplicate-reasons"] li')].map((l) => [l.dataset.reason, l.textContent.trim()])`);
  assert.deepEqual(reasons, [
    ['name', '同じ名前'],
    ['phone', '同じ電話番号'],
    ['reading', '同じ読み'],
  ]);
  await a.screenshot('duplicates-list-ja');

  // Merge: side by side, the name is the one that differs; keep the survivor's.
  await a.click(`${pair} [data-testid="duplicate-merge"]`);
  await a.find('[data-testid="merge-dialog"]');
  await a.find('[data-testid="merge-field"][data-field="name"]');
  assert.match(await a.text('[data-testid="merge-survivor"]'), /株式会社 絆テスト商事/);
  assert.match(await a.text('[data-testid="merge-loser"]'), /絆テスト商事（株）/);
  assert.match(await a.text('[data-testid="merge-moving"]'), /1件/);
  await a.screenshot('duplicates-merge-dialog-ja');
  await a.click('[data-testid="merge-confirm"]');
  await a.waitFor(async () => !(await a.findAll('[data-testid="merge-dialog"]')).length, 10000, 'the merge');
  await a.waitFor(async () => !(await a.findAll(pair)).length, 10000, 'the pair gone from the list');

  // The colleague's page moved to the survivor, and says why.
  await b.find(`[data-testid="customer-page"][data-company-id="${keep}"]`, 10000);
  await b.waitFor(async () => (await b.exec(`return document.body.textContent`)).includes('統合されました'), 10000, 'the notice');
  await b.waitFor(async () => (await entryTexts(b)).some((t) => t.includes('請求書の宛名を確認')), 10000, 'the merged history');
  await b.screenshot('duplicates-colleague-followed-ja');

  // The survivor's timeline holds both histories and the merge itself.
  await a.click('[data-testid="nav-customers"]');
  await a.click(`[data-testid="customer-row"][data-company-id="${keep}"] [data-testid="customer-open"]`);
  await a.find(`[data-testid="customer-page"][data-company-id="${keep}"]`);
  const texts = await a.waitFor(async () => {
    const t = await entryTexts(a);
    return t.some((x) => x.includes('重複を統合')) ? t : null;
  }, 10000, 'the merge entry');
  assert.ok(texts.some((t) => t.includes('見積の件で電話')), 'the survivor’s own entry');
  assert.ok(texts.some((t) => t.includes('請求書の宛名を確認')), 'the merged-away entry');
  assert.ok(texts.some((t) => t.includes('「絆テスト商事（株）」をこの顧客にまとめました')), texts.join('\n'));
  assert.equal((await a.invoke('company', { id: dup })).id, keep, 'the old id resolves to the survivor');
  await a.screenshot('duplicates-survivor-timeline-ja');

  // English: the merge entry in the reader's language, and the list.
  await a.click('[data-testid="nav-settings"]');
  await a.click('[data-testid="settings-language-en"]');
  await a.click('[data-testid="nav-customers"]');
  await a.click(`[data-testid="customer-row"][data-company-id="${keep}"] [data-testid="customer-open"]`);
  await a.waitFor(async () => (await entryTexts(a)).some((t) => t.includes('Duplicate merged: 絆テスト商事（株） is now this customer')), 10000, 'the English entry');
  await a.screenshot('duplicates-survivor-timeline-en');
  await a.click('[data-testid="nav-duplicates"]');
  await a.waitFor(async () => (await a.exec(`return [...document.querySelectorAll('[data-testid="duplicate-reasons"] li')].map((l) => l.textContent)`)).includes('Same domain'), 10000, 'the English reasons');
  await a.screenshot('duplicates-list-en');
  await a.click('[data-testid="duplicate-merge"]');
  await a.find('[data-testid="merge-dialog"]');
  await a.find('[data-testid="merge-field"]');
  await a.screenshot('duplicates-merge-dialog-en');
  await a.click('[data-testid="merge-dialog-cancel"]');
  await a.waitFor(async () => !(await a.findAll('[data-testid="merge-dialog"]')).length, 10000, 'the dialog closed');
});
