// End-to-end: global search (Ctrl+K) in the real window. A two-character
// word is found in an entry logged years ago, each hit shows its date in the
// user's language, and a group with more hits than it shows pages on with
// "show more".
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, freshHome, startOnSample } from './wd.mjs';

let app;
afterEach(async (t) => {
  if (!app) return;
  await app.screenshot(`last-${String(t?.name ?? 'test').slice(0, 40).replace(/[^\w]+/g, '-')}`).catch(() => {});
  await app.quit();
  app = undefined;
});

const entry = (companyId, occurredAt, summary, body) => ({
  company_id: companyId,
  contact_id: null,
  deal_id: null,
  kind: 'meeting',
  direction: 'outbound',
  occurred_at: occurredAt,
  summary,
  body,
  minutes: '',
  next_todos: '',
  next_appointment_at: null,
  signals: [],
});

const hits = (kind) =>
  app.exec(
    `return [...document.querySelectorAll('[data-testid="search-hit"][data-kind="${kind}"]')].map((h) => ({
      id: h.dataset.id,
      title: h.querySelector('.title').textContent.trim(),
      dates: [...h.querySelectorAll('[data-testid="search-hit-date"]')].map((d) => d.textContent.trim()),
    }))`,
  );

test('two-character words are found in every record, with dates, a page at a time', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  const board = await app.invoke('board', { pipelineId: null, filter: null, loaded: null });
  const companyId = board.columns.flatMap((c) => c.cards)[0].company_id;

  // One meeting from two years ago, then twelve newer entries on 稟議.
  await app.invoke('log_activity', { activity: entry(companyId, '2024-04-10T01:00:00Z', 'E2E 古い打ち合わせ', '先方の鷺沼部長が同席した。') });
  for (let i = 0; i < 12; i++) {
    const day = String(i + 1).padStart(2, '0');
    await app.invoke('log_activity', { activity: entry(companyId, `2026-10-${day}T01:00:00Z`, `E2E 稟議の確認 ${day}`, '社内稟議の進み具合を確認。') });
  }

  await app.click('[data-testid="open-search"]');
  await app.find('[data-testid="search-dialog"]');
  await app.type('[data-testid="search-input"]', '鷺沼');
  const old = await app.waitFor(async () => {
    const h = await hits('activities');
    return h.length ? h : null;
  }, 10000, 'the old entry');
  assert.deepEqual(old.map((h) => h.title), ['E2E 古い打ち合わせ']);
  assert.match(old[0].dates[0], /^2024年4月10日/, `the date the meeting happened, got ${old[0].dates}`);
  const marked = await app.exec(`return [...document.querySelectorAll('[data-testid="search-hit"] mark')].map((m) => m.textContent)`);
  assert.ok(marked.includes('鷺沼'), `the word is marked: ${marked}`);
  assert.equal((await app.findAll('.note')).length, 0, 'no "recent entries only" notice');
  await app.screenshot('search-two-characters-ja');

  // Many hits: the first eight, then "show more" brings the rest, none twice.
  await app.type('[data-testid="search-input"]', '稟議');
  await app.waitFor(async () => (await hits('activities')).some((h) => h.title.startsWith('E2E 稟議')), 10000, 'the 稟議 entries');
  const first = await hits('activities');
  assert.equal(first.length, 8);
  assert.ok(first.every((h) => h.dates.length === 1), 'every entry has its date');
  const deals = await hits('deals');
  for (const d of deals) assert.match(d.dates[0] ?? '', /^更新 /, `a deal shows when it was updated: ${JSON.stringify(d)}`);
  await app.click('[data-testid="search-more"][data-kind="activities"]');
  const more = await app.waitFor(async () => {
    const h = await hits('activities');
    return h.length > 8 ? h : null;
  }, 10000, 'the next page');
  assert.equal(new Set(more.map((h) => h.id)).size, more.length, 'no hit twice');
  const ours = more.filter((h) => h.title.startsWith('E2E 稟議')).map((h) => h.title);
  assert.deepEqual(ours, Array.from({ length: 12 }, (_, i) => `E2E 稟議の確認 ${String(12 - i).padStart(2, '0')}`), 'newest first, all of them');
  await app.screenshot('search-show-more-ja');

  // A company hit shows its last contact.
  await app.type('[data-testid="search-input"]', '株式');
  const companies = await app.waitFor(async () => {
    const h = await hits('companies');
    return h.length ? h : null;
  }, 10000, 'companies');
  assert.ok(companies.every((c) => /^(最終接触 |接触記録なし)/.test(c.dates[0] ?? '')), JSON.stringify(companies.slice(0, 3)));
});
