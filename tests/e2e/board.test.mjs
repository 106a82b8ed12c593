// End-to-end: the pipeline board in the real window. A deal is created,
// dragged with the mouse, moved by keyboard into closing, and lost with a
// reason and a competitor; each step is checked in the columns' counts and
// totals and in the follow-ups it plans. At 1280×800 every stage is in view;
// a long column loads more cards as it scrolls.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, freshHome, readBoard, startOnSample } from './wd.mjs';

let app;
// Each test ends its app, pass or fail: a Kizuna left running would take
// the next launch over as the single instance.
afterEach(async (t) => {
  if (!app) return;
  // The last picture shows where a failing run stopped.
  await app.screenshot(`last-${String(t?.name ?? 'test').slice(0, 40).replace(/[^\w]+/g, '-')}`).catch(() => {});
  await app.quit();
  app = undefined;
});

const column = (cols, name) => {
  const c = cols.find((x) => x.stage === name);
  assert.ok(c, `column ${name}`);
  return c;
};
const colSelector = (name) => `[data-testid="column"][data-stage-name="${name}"]`;
const cardSelector = (title) => `//div[@data-card-slot][.//*[contains(@class,'title') and normalize-space()='${title}']]`;

async function cardSlot(title) {
  const [el] = await app.waitFor(async () => {
    const els = (await app.cmd('POST', '/elements', { using: 'xpath', value: cardSelector(title) })).map((e) => Object.values(e)[0]);
    return els.length ? els : null;
  }, 15000, `card ${title}`);
  return el;
}

// A move shows at once and the backend's totals follow; a step is done when
// both agree (every column whose cards are all on screen totals them again;
// a folded column shows none).
const settled = (cols) =>
  cols.every((c) => c.collapsed || (c.count === c.cards.length && c.total === c.cards.reduce((a, b) => a + b, 0)));

async function boardAfter(predicate, what) {
  return app.waitFor(async () => {
    const cols = await readBoard(app);
    return predicate(cols) && settled(cols) ? cols : null;
  }, 15000, what);
}

const where = (cols, title) => cols.find((c) => c.titles.includes(title))?.stage;

test('create a deal, drag it to 見積, move it into closing, lose it with a re-approach', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  const title = `E2E 基幹システム刷新 ${Date.now() % 100000}`;
  const amount = 1234000;

  // Create in 提案 from the column's + button.
  const before = await readBoard(app);
  await app.click(`${colSelector('提案')} [data-testid="column-add"]`);
  await app.find('[data-testid="deal-dialog"]');
  await app.type('[data-testid="deal-company"]', 'あおば');
  await app.find('[data-testid="deal-company-option"]');
  const company = await app.exec(`return document.querySelector('[data-testid="deal-company-option"] .name').textContent.trim()`);
  assert.match(company, /青葉/, 'searching the reading finds the company');
  await app.click('[data-testid="deal-company-option"]');
  await app.type('[data-testid="deal-title"]', title);
  await app.type('[data-testid="deal-amount"]', '1,234,000');
  await app.click('[data-testid="deal-save"]');
  let cols = await boardAfter((c) => where(c, title) === '提案', 'the new deal in 提案');
  assert.equal(column(cols, '提案').count, column(before, '提案').count + 1);
  assert.equal(column(cols, '提案').total, column(before, '提案').total + amount, '提案 total includes the new deal');

  // Drag it with the mouse from 提案 to 見積: both totals change by its amount.
  const beforeDrag = cols;
  await app.drag(await cardSlot(title), await app.find(`${colSelector('見積')} [data-testid="column-cards"]`), { dy: 40 });
  cols = await boardAfter((c) => where(c, title) === '見積', 'the deal in 見積 after the drag');
  assert.equal(column(cols, '提案').total, column(beforeDrag, '提案').total - amount, '提案 total lost the amount');
  assert.equal(column(cols, '見積').total, column(beforeDrag, '見積').total + amount, '見積 total gained the amount');
  assert.equal(column(cols, '見積').count, column(beforeDrag, '見積').count + 1);
  await app.screenshot('board-after-drag-ja');

  // The deal's own timeline records the move.
  await app.clickEl(await cardSlot(title));
  await app.find('[data-testid="deal-timeline"] [data-testid="timeline-entry"]');
  const dealEntries = await app.exec(`return [...document.querySelectorAll('[data-testid="deal-timeline"] [data-testid="timeline-entry"]')].map((e) => ({ kind: e.dataset.kind, text: e.textContent }))`);
  assert.ok(dealEntries.some((e) => e.kind === 'stage_change' && e.text.includes('提案 → 見積')), `stage change on the deal's timeline: ${JSON.stringify(dealEntries)}`);
  await app.screenshot('deal-dialog-timeline-ja');
  await app.click('[data-testid="deal-dialog-cancel"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="deal-dialog"]')).length, 5000, 'deal dialog closed');

  // Keyboard: Alt+→ moves it to クロージング, which asks for a decision deadline.
  await app.exec(`document.querySelector('[data-card-slot]') && arguments[0].focus()`, [{ 'element-6066-11e4-a52e-4f735466cecf': await cardSlot(title) }]);
  await app.keys(['\uE00A', '\uE014']);
  await app.find('[data-testid="closing-dialog"]');
  const deadline = await app.exec(`return document.querySelector('[data-testid="closing-deadline"]').dataset.value`);
  assert.match(deadline, /^\d{4}-\d{2}-\d{2}$/, 'a default deadline is proposed');
  await app.screenshot('closing-dialog-ja');
  await app.click('[data-testid="closing-confirm"]');
  cols = await boardAfter((c) => where(c, title) === 'クロージング', 'the deal in クロージング');
  const countdown = await app.exec(
    `return [...document.querySelectorAll('[data-testid="deal-card"]')].find((c) => c.querySelector('.title').textContent.trim() === arguments[0])?.querySelector('[data-testid="card-deadline"]')?.textContent.trim() ?? null`,
    [title],
  );
  assert.match(countdown ?? '', /決断期限まで14日/, `countdown on the card, got ${countdown}`);

  // Lost: drag onto the folded 失注 column; a reason is required, then the re-approach is planned.
  const lostBefore = column(cols, '失注').count;
  assert.ok(column(cols, '失注').collapsed, '失注 starts folded');
  // The card is the last of its column: a toast in the corner would cover it.
  await app.exec(`document.querySelectorAll('[data-testid="toast"] button').forEach((b) => b.click())`);
  await app.drag(await cardSlot(title), await app.find(`${colSelector('失注')} [data-testid="column-cards"]`));
  await app.find('[data-testid="lost-dialog"]');
  await app.click('[data-testid="lost-confirm"]');
  assert.match(await app.text('[data-testid="lost-dialog"] [role="alert"]'), /失注理由/, 'a reason is required');
  await app.click('[data-testid="lost-reason"]');
  await app.type('[data-testid="lost-competitor"]', '競合システム株式会社');
  await app.type('[data-testid="lost-detail"]', '先方の予算が半分に削られた');
  await app.screenshot('lost-dialog-ja');
  await app.click('[data-testid="lost-confirm"]');
  cols = await boardAfter((c) => column(c, '失注').count === lostBefore + 1 && !where(c, title), 'the deal in the folded 失注');
  // Unfolded, the column shows it on top, where a folded column takes a drop.
  await app.click(`${colSelector('失注')} [data-testid="column-toggle"]`);
  cols = await boardAfter((c) => !column(c, '失注').collapsed && column(c, '失注').titles.length > 0, '失注 unfolded');
  assert.equal(column(cols, '失注').titles[0], title, 'the lost deal is at the top of 失注');
  const toast = await app.waitFor(async () => {
    const texts = await app.exec(`return [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent)`);
    return texts.find((x) => x.includes('再アプローチ')) ?? null;
  }, 10000, 're-approach toast');
  assert.match(toast, /再アプローチを.+に予定しました/);

  // What was said about the loss is on the lost card, in the deal's dialog and on its timeline.
  const facts = await app.waitFor(
    () => app.exec(
      `return [...document.querySelectorAll('[data-testid="deal-card"]')].find((c) => c.querySelector('.title').textContent.trim() === arguments[0])?.querySelector('[data-testid="lost-facts"]')?.textContent ?? null`,
      [title],
    ),
    10000,
    'the loss on the card',
  );
  assert.ok(facts.includes('競合システム株式会社') && facts.includes('先方の予算が半分に削られた'), `the card says to whom and why: ${facts}`);
  await app.screenshot('board-lost-card-ja');
  await app.clickEl(await cardSlot(title));
  assert.equal(await app.text('[data-testid="deal-lost-info"] [data-testid="lost-facts-detail"]'), '先方の予算が半分に削られた');
  assert.equal(await app.text('[data-testid="deal-lost-info"] [data-testid="lost-facts-to"]'), '競合システム株式会社');
  await app.find('[data-testid="deal-timeline"] [data-testid="timeline-entry"][data-kind="stage_change"] [data-testid="lost-facts-detail"]');
  await app.screenshot('deal-dialog-lost-ja');
  // 失注=関係断絶にしない: from here the lost customer goes on the nurture list (docs/leads.md).
  await app.click('[data-testid="deal-nurture"]');
  await app.find('[data-testid="lead-reason-dialog"]');
  await app.type('[data-testid="lead-reason"]', '予算が戻ったら再提案');
  await app.click('[data-testid="lead-reason-ok"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="lead-reason-dialog"]')).length, 10000, 'the reason dialog closed');
  const nurtured = await app.invoke('leads_inbox', { query: { tab: 'nurture', search: '', after: null, limit: 0 } });
  assert.ok(
    nurtured.page.rows.some((r) => r.origin === 'lost_deal' && r.nurture_reason === '予算が戻ったら再提案'),
    `the lost deal on the nurture list: ${JSON.stringify(nurtured.page.rows.map((r) => r.nurture_reason))}`,
  );
  await app.click('[data-testid="deal-dialog-cancel"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="deal-dialog"]')).length, 5000, 'deal dialog closed');

  // Search finds the deal by the detail and by the competitor.
  for (const q of ['予算が半分に削', '競合システム']) {
    await app.keys(['\uE009', 'k']);
    await app.type('[data-testid="search-input"]', q);
    await app.waitFor(
      async () => (await app.exec(`return [...document.querySelectorAll('[data-testid="search-hit"][data-kind="deals"]')].map((h) => h.textContent)`)).some((t) => t.includes(title)),
      10000,
      `the lost deal found by ${q}`,
    );
    await app.keys(['\uE00C']);
    await app.waitFor(async () => !(await app.findAll('[data-testid="search-dialog"]')).length, 5000, 'search closed');
  }

  // The follow-ups view lists the decision deadline (now cancelled: lost) and the re-approach.
  await app.click('[data-testid="nav-followups"]');
  await app.find('[data-testid="followup-item"]');
  const items = await app.exec(`return [...document.querySelectorAll('[data-testid="followup-item"]')].map((i) => ({ kind: i.dataset.kind, text: i.textContent }))`);
  assert.ok(items.some((i) => i.kind === 'reapproach' && i.text.includes(company)), 're-approach follow-up for the customer');
  assert.ok(!items.some((i) => i.kind === 'decision_deadline' && i.text.includes(title)), 'the decision deadline reminder ended with the loss');
  await app.screenshot('followups-reapproach-ja');

  // The same board in English.
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.click('[data-testid="nav-board"]');
  await app.find('[data-testid="deal-card"]');
  await app.waitFor(async () => (await app.text('[data-testid="board-new-deal"]')).includes('New deal'), 10000, 'English board');
  await app.screenshot('board-en-after-moves');

  // What Kizuna wrote reads in English: the deal's stage changes (the stage
  // names are the team's own) and the re-approach it planned.
  await app.clickEl(await cardSlot(title));
  const moves = await app.waitFor(async () => {
    const texts = await app.exec(
      `return [...document.querySelectorAll('[data-testid="deal-timeline"] [data-testid="timeline-entry"][data-kind="stage_change"] [data-testid="timeline-summary"]')].map((e) => e.textContent.trim())`,
    );
    return texts.length === 3 ? texts : null;
  }, 10000, "the deal's three stage changes");
  assert.equal(moves[0], 'クロージング → 失注');
  const lossLabels = await app.exec(
    `return [...document.querySelectorAll('[data-testid="deal-timeline"] [data-testid="timeline-entry"][data-kind="stage_change"] [data-testid="lost-facts"] dt')].map((e) => e.textContent.trim())`,
  );
  assert.ok(lossLabels.includes('Reason'), `the loss's facts in English: ${lossLabels}`);
  assert.match(moves[1], /^見積 → クロージング \(decision by [A-Z][a-z]{2} \d{1,2}, \d{4}\)$/, moves[1]);
  assert.equal(moves[2], '提案 → 見積');
  await app.screenshot('deal-dialog-timeline-en');
  await app.click('[data-testid="deal-dialog-cancel"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="deal-dialog"]')).length, 5000, 'deal dialog closed');
  await app.click('[data-testid="nav-followups"]');
  const titles = await app.waitFor(async () => {
    const t = await app.exec(`return [...document.querySelectorAll('[data-testid="followup-item"][data-kind="reapproach"] [data-testid="followup-title"]')].map((e) => e.textContent.trim())`);
    return t.length ? t : null;
  }, 10000, 're-approach follow-ups');
  assert.ok(titles.includes(`Re-approach: ${company}`), `re-approach in English: ${titles}`);
  assert.ok(!titles.some((x) => x.includes('再アプローチ')), `no Japanese left: ${titles}`);
  await app.screenshot('followups-reapproach-en');
});

test('stages and lost reasons edited in Settings reach the board', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  await app.click('[data-testid="nav-settings"]');
  await app.find('[data-testid="stage-row"]');

  // Rename 見積 and refuse to delete a stage that still has deals.
  const names = await app.exec(`return [...document.querySelectorAll('[data-testid="stage-name"]')].map((i) => i.value)`);
  const quote = names.indexOf('見積');
  assert.ok(quote >= 0, `stage names ${names}`);
  const nameInputs = await app.findAll('[data-testid="stage-name"]');
  await app.cmd('POST', `/element/${nameInputs[quote]}/clear`, {});
  await app.cmd('POST', `/element/${nameInputs[quote]}/value`, { text: '見積提出' });
  await app.click('[data-testid="pipeline-save"]');
  await app.find('[data-testid="pipeline-saved"]');

  const deletes = await app.findAll('[data-testid="stage-delete"]');
  await app.cmd('POST', `/element/${deletes[0]}/click`, {});
  await app.click('[data-testid="pipeline-save"]');
  const refusal = await app.find('[data-testid="pipeline-error"]');
  assert.equal(await app.attr(refusal, 'data-reason'), 'stage_has_deals');
  assert.doesNotMatch(await app.text('[data-testid="pipeline-error"]'), /stage_has_deals/, 'words, not a code');
  await app.screenshot('settings-pipeline-refused-ja');
  await app.click('[data-testid="pipeline-revert"]');

  // A new lost reason.
  await app.type('[data-testid="lost-reason-input"]', '社内事情');
  await app.click('[data-testid="lost-reason-add"]');
  await app.click('[data-testid="team-settings-save"]');
  await app.waitFor(
    async () => (await app.exec(`return [...document.querySelectorAll('[data-testid="lost-reason"]')].map((r) => r.textContent)`)).some((t) => t.includes('社内事情')),
    10000,
    'the saved reason',
  );

  // The board shows the renamed column, and the lost dialog offers the reason.
  await app.click('[data-testid="nav-board"]');
  const cols = await app.waitFor(async () => {
    const c = await readBoard(app);
    return c.some((x) => x.stage === '見積提出') ? c : null;
  }, 10000, 'renamed column');
  assert.ok(!cols.some((x) => x.stage === '見積'));
  // From クロージング: 失注 is two columns away, both in view at once.
  const [first] = await app.findAll('[data-testid="column"][data-stage-name="クロージング"] [data-card-slot]');
  await app.drag(first, await app.find('[data-testid="column"][data-stage-name="失注"] [data-testid="column-cards"]'));
  await app.find('[data-testid="lost-dialog"]');
  const reasons = await app.exec(`return [...document.querySelectorAll('[data-testid="lost-dialog"] [data-testid="lost-reason"]')].map((r) => r.textContent.trim())`);
  assert.ok(reasons.includes('社内事情'), `reasons offered: ${reasons}`);
  await app.screenshot('lost-dialog-custom-reason-ja');
  await app.click('[data-testid="lost-dialog-cancel"]');
  // Cancelled: the card goes back where it was.
  await app.waitFor(async () => !(await app.findAll('[data-testid="lost-dialog"]')).length, 5000, 'dialog closed');
  const after = await readBoard(app);
  assert.equal(after.find((x) => x.stage === '失注').count, cols.find((x) => x.stage === '失注').count, 'nothing was lost by cancelling');
});

/** YYYY-MM-DD in this machine's (and the app's) zone, `days` from today. */
function day(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

test('a USD deal stays USD through an edit; its decision deadline moves; a win offers its contract; a deleted deal comes back with Undo', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  const [pipeline] = await app.invoke('pipelines');
  const stage = (name) => pipeline.stages.find((s) => s.name === name).id;
  const [company] = await app.invoke('companies', { query: { text: null, owner_id: null, segment: null, sort: 'name_kana' } });
  const title = `E2E US subsidiary ${Date.now() % 100000}`;
  const created = await app.invoke('create_deal', {
    deal: {
      pipeline_id: pipeline.pipeline.id, stage_id: stage('見積'), company_id: company.id, contact_id: null, title,
      amount: 1_234_567, currency: 'USD', owner_id: null, expected_close: null, decision_deadline: null, notes: '',
    },
  });

  // The dialog shows dollars and cents and saves them back as they were.
  await app.click('[data-testid="board-filter-all"]');
  await app.clickEl(await cardSlot(title));
  await app.find('[data-testid="deal-dialog"]');
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="deal-amount"]').value`)) === '12345.67', 10000, 'the amount in dollars');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="deal-currency"]').value`), 'USD');
  await app.type('[data-testid="deal-title"]', `${title} (renamed)`);
  await app.click('[data-testid="deal-save"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="deal-dialog"]')).length, 10000, 'saved');
  let saved = await app.invoke('deal', { id: created.id });
  assert.equal(saved.title, `${title} (renamed)`);
  assert.equal(saved.currency, 'USD', 'the currency is kept');
  assert.equal(saved.amount, 1_234_567, 'the amount is kept, to the cent');

  // Into closing with a deadline, then the customer asks for a week more.
  const renamed = `${title} (renamed)`;
  await app.invoke('move_deal', { request: { deal_id: created.id, version: saved.version, to_stage_id: stage('クロージング'), index: null, decision_deadline: day(7), lost: null } });
  await app.click('[data-testid="board-filter-all"]');
  await app.waitFor(async () => (await readBoard(app)).some((c) => c.stage === 'クロージング' && c.titles.includes(renamed)), 10000, 'the deal in closing');
  await app.clickEl(await cardSlot(renamed));
  await app.find('[data-testid="deal-deadline"]');
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="deal-deadline"]').dataset.value`)) === day(7), 10000, 'the deadline shown');
  const later = day(14);
  await app.type('[data-testid="deal-deadline"]', later.replaceAll('-', '/'));
  await app.screenshot('deal-deadline-change-ja');
  await app.click('[data-testid="deal-save"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="deal-dialog"]')).length, 10000, 'saved');
  saved = await app.invoke('deal', { id: created.id });
  assert.equal(saved.decision_deadline, later);
  const reminders = (await app.invoke('follow_ups', { mineOnly: false, includeDone: false, companyId: company.id }))
    .filter((f) => f.kind === 'decision_deadline' && f.deal_id === created.id);
  assert.equal(reminders.length, 1, `one deadline reminder, moved: ${JSON.stringify(reminders)}`);
  const due = new Date(reminders[0].due_at);
  assert.equal(`${due.getFullYear()}-${String(due.getMonth() + 1).padStart(2, '0')}-${String(due.getDate()).padStart(2, '0')}`, later);

  // Won: Kizuna offers to enter its contract, filled from the deal.
  await app.exec(`arguments[0].focus()`, [{ 'element-6066-11e4-a52e-4f735466cecf': await cardSlot(renamed) }]);
  await app.keys(['\uE00A', '\uE014']);
  await app.find('[data-testid="won-offer"]');
  await app.screenshot('won-offer-ja');
  await app.click('[data-testid="won-offer-contract"]');
  await app.find('[data-testid="contract-dialog"]');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="contract-plan"]').value`), renamed);
  assert.equal(await app.exec(`return document.querySelector('[data-testid="contract-amount"]').value`), '12345.67');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="contract-currency"]').value`), 'USD');
  await app.click('[data-testid="contract-create"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="contract-dialog"]')).length, 10000, 'the contract saved');
  const contract = (await app.invoke('company_contracts', { companyId: company.id })).find((c) => c.plan === renamed);
  assert.ok(contract, 'the contract is the customer’s');
  assert.equal(contract.currency, 'USD');
  assert.equal(contract.amount, 1_234_567);
  // Sold and entered: the hand-off sheet for support comes next, with the contract on it
  // (tests/e2e/handoff.test.mjs sends one); left for later here.
  await app.find('[data-testid="handoff-dialog"]');
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="handoff-sold"]').value`)) === renamed, 10000, 'the contract on the sheet');
  await app.click('[data-testid="handoff-dialog-cancel"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="handoff-dialog"]')).length, 10000, 'the sheet left for later');

  // Delete, and take it back from the notice (受注 starts folded: unfold it).
  await app.click(`${colSelector('受注')} [data-testid="column-toggle"]`);
  await app.clickEl(await cardSlot(renamed));
  await app.find('[data-testid="deal-dialog"]');
  await app.click('[data-testid="deal-delete"]');
  await app.waitFor(async () => !(await readBoard(app)).some((c) => c.titles.includes(renamed)), 10000, 'the card gone');
  await assert.rejects(app.invoke('deal', { id: created.id }), /not_found/);
  await app.screenshot('deal-deleted-undo-ja');
  await app.click('[data-testid="toast-undo"]');
  await app.waitFor(async () => (await readBoard(app)).some((c) => c.stage === '受注' && c.titles.includes(renamed)), 10000, 'the card back in 受注');
  assert.equal((await app.invoke('deal', { id: created.id })).currency, 'USD');
});

test('at 1280×800 every stage is in view; unfolded won and lost scroll with a visible bar', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  const layout = () =>
    app.exec(`
      const board = document.querySelector('[data-testid="board"]');
      const box = board.getBoundingClientRect();
      return {
        window: [window.outerWidth, window.outerHeight],
        overflow: board.scrollWidth - board.clientWidth,
        scrollbar: board.offsetHeight - board.clientHeight,
        columns: [...board.querySelectorAll('[data-testid="column"]')].map((c) => {
          const r = c.getBoundingClientRect();
          return { stage: c.dataset.stageName, left: r.left, right: r.right, width: r.width, inView: r.left >= box.left && r.right <= box.right };
        }),
      };
    `);
  const folded = await layout();
  assert.deepEqual(folded.window, [1280, 800], 'the default window size');
  assert.equal(folded.columns.length, 7);
  assert.ok(folded.columns.every((c) => c.inView), `every stage in view: ${JSON.stringify(folded.columns)}`);
  assert.ok(folded.overflow <= 0, 'nothing to scroll sideways');
  assert.ok(folded.columns.filter((c) => c.width < 60).length === 2, 'won and lost are thin');
  assert.ok(folded.columns.slice(0, 5).every((c) => c.width >= 170), 'open stages keep a readable width');
  await app.screenshot('board-1280x800-ja');

  // Unfolding both: more than fits, and the board says so with its scrollbar.
  for (const stage of ['受注', '失注']) await app.click(`${colSelector(stage)} [data-testid="column-toggle"]`);
  const open = await app.waitFor(async () => {
    const l = await layout();
    return l.columns.every((c) => c.width > 60) ? l : null;
  }, 5000, 'won and lost unfolded');
  assert.ok(open.overflow > 0, 'the board is wider than the window');
  assert.ok(open.scrollbar >= 8, `a horizontal scrollbar takes room (${open.scrollbar}px) before any scrolling`);
  await app.screenshot('board-1280x800-unfolded-ja');
  // Folding again (the toggle in the column's header).
  await app.click(`${colSelector('受注')} [data-testid="column-toggle"]`);
  await app.waitFor(async () => (await readBoard(app)).find((c) => c.stage === '受注').collapsed, 5000, '受注 folded again');
});

test('a long column loads more cards as it scrolls, and keeps them through a move', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  const board = await app.invoke('board', { pipelineId: null, filter: null, loaded: null });
  const lead = board.columns.find((c) => c.stage.name === 'リード');
  const companyId = board.columns.flatMap((c) => c.cards)[0].company_id;
  const ADDED = 70;
  for (let i = 0; i < ADDED; i++) {
    await app.invoke('create_deal', {
      deal: {
        pipeline_id: board.pipeline_id, stage_id: lead.stage.id, company_id: companyId, contact_id: null,
        title: `E2E 長い列 ${String(i).padStart(2, '0')}`, amount: 1000 + i, currency: 'JPY', owner_id: null,
        expected_close: null, decision_deadline: null, notes: '',
      },
    });
  }
  const total = lead.count + ADDED;
  const sum = lead.totals[0].amount + Array.from({ length: ADDED }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0);
  await app.click('[data-testid="nav-customers"]');
  await app.find('[data-testid="customer-row"]');
  await app.click('[data-testid="nav-board"]');
  const lead1 = await app.waitFor(async () => {
    const c = (await readBoard(app)).find((x) => x.stage === 'リード');
    return c.count === total ? c : null;
  }, 15000, 'the long column');
  assert.equal(lead1.cards.length, 30, 'the first page only');
  assert.equal(lead1.total, sum, 'the total is every deal of the column, loaded or not');
  assert.ok(await app.findAll(`${colSelector('リード')} [data-testid="column-more"]`).then((e) => e.length === 1), 'says more follow');
  await app.screenshot('board-long-column-ja');

  // Scrolling to the end of what is loaded fetches the next page, until all are there.
  const scrollDown = () =>
    app.exec(`const el = document.querySelector('[data-testid="column"][data-stage-name="リード"] [data-testid="column-cards"]'); el.scrollTop = el.scrollHeight;`);
  const loaded = () => app.exec(`return Number(document.querySelector('[data-testid="column"][data-stage-name="リード"]').dataset.loaded)`);
  await scrollDown();
  await app.waitFor(async () => (await loaded()) === 60, 10000, 'the second page');
  await app.waitFor(async () => {
    await scrollDown();
    return (await loaded()) === total;
  }, 20000, 'every card of the column');
  const ids = await app.exec(`return [...document.querySelectorAll('[data-testid="column"][data-stage-name="リード"] [data-testid="deal-card"]')].map((c) => c.dataset.dealId)`);
  assert.equal(new Set(ids).size, ids.length, 'no card twice');
  assert.equal(await app.findAll(`${colSelector('リード')} [data-testid="column-more"]`).then((e) => e.length), 0);
  await app.screenshot('board-long-column-end-ja');

  // A move reloads the board: the scrolled column keeps every card it had.
  await app.exec(`document.querySelector('[data-testid="column"][data-stage-name="リード"] [data-testid="column-cards"]').scrollTop = 0`);
  // The element and its place read at once: a virtualised column swaps its
  // cards as it scrolls, so a slot read before the drag may have moved by
  // the time the mouse gets there. Read it again for each try.
  const topSlot = () =>
    app.waitFor(async () => {
      const el = await app.exec(
        `const s = document.querySelector('[data-testid="column"][data-stage-name="リード"] [data-card-slot]'); return s && s.getBoundingClientRect().top < 400 ? s : null`,
      );
      return el ? Object.values(el)[0] : null;
    }, 5000, 'the top of the long column');
  for (let attempt = 1; ; attempt++) {
    try {
      await app.drag(await topSlot(), await app.find(`${colSelector('初回商談')} [data-testid="column-cards"]`));
      break;
    } catch (e) {
      if (attempt === 3 || !/out of bounds/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  await app.waitFor(async () => {
    const c = (await readBoard(app)).find((x) => x.stage === 'リード');
    return c.count === total - 1 && (await loaded()) === total - 1 ? c : null;
  }, 15000, 'the move, with the long column still whole');
});
