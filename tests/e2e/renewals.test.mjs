// End-to-end: a contract entered on the customer page shows on the renewal
// board with its hearing follow-up, goes hearing → proposal (upsell) →
// renewed, and the new period and the renewal rate follow.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, freshHome, startOnSample } from './wd.mjs';

let app;
afterEach(async () => {
  if (!app) return;
  await app.screenshot('last-renewals').catch(() => {});
  await app.quit();
  app = undefined;
});

/** YYYY-MM-DD in this machine's (and the app's) zone, `days` from today. */
function day(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function setInput(css, value) {
  // Date fields take their value as the picker gives it: one input event.
  await app.exec(
    `const el = document.querySelector(arguments[0]); el.value = arguments[1]; el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true }));`,
    [css, value],
  );
}

const rateText = async () => ({
  count: await app.text('[data-testid="rate-count"]'),
  counts: await app.text('[data-testid="rate-counts"]'),
});

test('a contract ending in 45 days: corrected, hearing, upsell proposal, renewed; the new period and the rate follow', async () => {
  app = await App.launch({ home: freshHome() });
  await app.find('[data-testid="deal-card"]');
  if ((await app.findAll('[data-testid="first-run-sample"]')).length) await startOnSample(app);

  const customer = `更新テスト工業${Date.now() % 100000}`;
  const companyId = await app.invoke('create_company', {
    company: { name: customer, name_kana: 'こうしんてすとこうぎょう', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
  });

  // The renewal rate before.
  await app.click('[data-testid="nav-renewals"]');
  await app.find('[data-testid="rate-count"]');
  const before = await rateText();

  // Enter the contract on the customer's page: a year ending in 45 days.
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', customer);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  await app.click('[data-testid="contract-add"]');
  await app.find('[data-testid="contract-dialog"]');
  await app.type('[data-testid="contract-plan"]', 'クラウド会計 年額プラン');
  await setInput('[data-testid="contract-start"]', day(45 - 364));
  await setInput('[data-testid="contract-end"]', day(45));
  await app.click('[data-testid="contract-billing-annual"]');
  await app.type('[data-testid="contract-amount"]', '６００，０００');
  await app.click('[data-testid="contract-create"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="contract-dialog"]')).length, 10000, 'the contract dialog to close');
  await app.find('[data-testid="company-contract"][data-step="not_started"]');
  // Its start is on the customer's timeline.
  await app.find('[data-testid="timeline-entry"][data-kind="contract"]');

  // A correction of the amount: version-checked, and on the timeline too.
  await app.click('[data-testid="company-contract"] [data-testid="contract-edit"]');
  await app.find('[data-testid="contract-dialog"]');
  // The "created" notice is still up; it must not sit on the dialog's save button.
  const covered = await app.exec(`
    const save = document.querySelector('[data-testid="contract-create"]').getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="toast"]')].some((t) => {
      const r = t.getBoundingClientRect();
      return r.left < save.right && save.left < r.right && r.top < save.bottom && save.top < r.bottom;
    });`);
  assert.equal(covered, false, 'a notice covers the save button');
  await app.type('[data-testid="contract-amount"]', '650000');
  await app.click('[data-testid="contract-create"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="contract-dialog"]')).length, 10000, 'the edit to be saved');
  await app.waitFor(async () => (await app.text('[data-testid="company-contract"]')).includes('650,000'), 10000, 'the new amount');
  await app.waitFor(
    async () => (await app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"][data-kind="contract"]')].some((e) => e.textContent.includes('契約変更'))`)),
    10000,
    'the change on the timeline',
  );

  // A colleague changes the notice period while this dialog is open: saving
  // shows both versions; "apply mine on top" keeps my amount and my notice.
  await app.click('[data-testid="company-contract"] [data-testid="contract-edit"]');
  await app.find('[data-testid="contract-dialog"]');
  const [open] = await app.invoke('company_contracts', { companyId });
  await app.invoke('update_contract', {
    id: open.id,
    version: open.version,
    contract: {
      company_id: companyId, deal_id: null, plan: open.plan, start_date: open.start_date, end_date: open.end_date, auto_renew: open.auto_renew,
      amount: open.amount, currency: open.currency, billing: open.billing, notice_days: 60, owner_id: open.owner_id, hearing_days: null, proposal_days: null,
    },
  });
  await app.type('[data-testid="contract-amount"]', '660000');
  await app.click('[data-testid="contract-create"]');
  await app.find('[data-testid="conflict-row"][data-field="notice_days"]');
  assert.equal(await app.text('[data-testid="conflict-row"][data-field="notice_days"] [data-testid="conflict-theirs"]'), '60');
  assert.match(await app.text('[data-testid="conflict-row"][data-field="amount"] [data-testid="conflict-mine"]'), /660,000/);
  await app.click('[data-testid="conflict-apply-mine"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="contract-dialog"]')).length, 10000, 'mine applied');
  const [applied] = await app.invoke('company_contracts', { companyId });
  assert.equal(applied.amount, 660000);
  assert.equal(applied.notice_days, 30);

  // On the board by time left: 60–30 days, with its hearing follow-up.
  await app.click('[data-testid="nav-renewals"]');
  const mine = (extra = '') => `[data-testid="renewal-card"]${extra}`;
  const cardId = await app.waitFor(async () => {
    const ids = await app.exec(
      `return [...document.querySelectorAll('[data-testid="renewal-card"]')].filter((c) => c.textContent.includes(arguments[0])).map((c) => c.dataset.id)`,
      [customer],
    );
    return ids[0];
  }, 10000, 'the new contract on the board');
  const card = `[data-testid="renewal-card"][data-id="${cardId}"]`;
  const lane = await app.exec(`return document.querySelector(arguments[0]).closest('[data-testid="renewal-lane"]').dataset.bucket`, [card]);
  assert.equal(lane, 'from60_to30');
  assert.match(await app.text(`${card} [data-testid="renewal-next"]`), /更新ヒアリング/);
  await app.screenshot('renewals-by-time-ja');

  // By step: drag it to ヒアリング and record the hearing.
  await app.click('[data-testid="renewals-mode-step"]');
  const hearingLane = await app.find('[data-testid="renewal-lane"][data-bucket="hearing"]');
  await app.drag(await app.find(card), hearingLane, { dy: 10 });
  await app.find('[data-testid="step-dialog"]');
  await app.click('[data-testid="step-satisfaction-4"]');
  await app.type('[data-testid="step-problems"]', '月次の締め処理が遅いとの声');
  await app.click('[data-testid="step-save"]');
  await app.find(`${card}[data-step="hearing"]`);

  // Proposal: an upsell to 720,000.
  const proposalLane = await app.find('[data-testid="renewal-lane"][data-bucket="proposal"]');
  await app.drag(await app.find(card), proposalLane, { dy: 10 });
  await app.find('[data-testid="step-dialog"]');
  await app.click('[data-testid="step-kind-upsell"]');
  await app.type('[data-testid="step-amount"]', '720000');
  await app.click('[data-testid="step-save"]');
  await app.find(`${card}[data-step="proposal"]`);
  await app.screenshot('renewals-by-step-ja');

  // Renew (from the card's menu, the keyboard way).
  await app.click(`${card} [data-testid="renewal-next-step"]`);
  await app.click(`${card} [data-testid="renewal-to-post_renewal"]`);
  await app.find('[data-testid="step-renew-preview"]');
  await app.click('[data-testid="step-save"]');
  await app.find(`${card}[data-step="post_renewal"]`);

  // The rate counts one more renewal.
  const after = await app.waitFor(async () => {
    const r = await rateText();
    return r.counts !== before.counts ? r : null;
  }, 10000, 'the renewal rate to change');
  const renewedCount = (s) => Number(s.match(/\d+/)[0]);
  assert.equal(renewedCount(after.counts), renewedCount(before.counts) + 1, `${before.counts} → ${after.counts}`);

  // The new period, with the new amount, on the customer's page.
  const contracts = await app.invoke('company_contracts', { companyId });
  const next = contracts.find((c) => c.status === 'active');
  assert.equal(next.amount, 720000);
  assert.equal(next.start_date, day(46));
  await app.click(`${card} .company`);
  await app.find('[data-testid="customer-page"]');
  await app.find('[data-testid="company-contract"][data-step="not_started"]');
  const rows = await app.exec(`return [...document.querySelectorAll('[data-testid="company-contract"]')].map((r) => r.textContent)`);
  assert.ok(rows.some((r) => r.includes('720,000')), `the new period shows the new amount: ${rows}`);
  await app.screenshot('customer-contracts-ja');

  // In English.
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.click('[data-testid="nav-renewals"]');
  await app.click('[data-testid="renewals-mode-step"]');
  await app.find(`${card}[data-step="post_renewal"]`);
  await app.screenshot('renewals-by-step-en');

  // What Kizuna wrote reads in English too: the card's next step, the
  // follow-up it planned, and the contract's history on the customer's page.
  const plan = 'クラウド会計 年額プラン';
  await app.waitFor(
    async () => (await app.text(`${card} [data-testid="renewal-next"]`)).includes(`Post-renewal check-in: ${customer} ${plan}`),
    10000,
    'the next step in English',
  );
  await app.click('[data-testid="nav-followups"]');
  await app.waitFor(async () => {
    const t = await app.exec(`return [...document.querySelectorAll('[data-testid="followup-title"]')].map((e) => e.textContent.trim())`);
    return t.includes(`Post-renewal check-in: ${customer} ${plan}`) && t.includes(`Renewal hearing: ${customer} ${plan}`);
  }, 10000, "the renewal follow-ups in English (this renewal's check-in, the next period's hearing)");
  await app.screenshot('followups-renewal-en');
  await app.click('[data-testid="nav-renewals"]');
  await app.click('[data-testid="renewals-mode-step"]');
  await app.click(`${card} .company`);
  await app.find('[data-testid="customer-page"]');
  const history = await app.waitFor(async () => {
    const t = await app.exec(
      `return [...document.querySelectorAll('[data-testid="timeline-entry"][data-kind="contract"] [data-testid="timeline-summary"]')].map((e) => e.textContent.trim())`,
    );
    return t.some((x) => x.startsWith('Contract renewed')) ? t : null;
  }, 10000, 'the contract history in English');
  const dayRe = '[A-Z][a-z]{2} \\d{1,2}, \\d{4}';
  const expect = [
    new RegExp(`^Contract renewed: ${plan} \\(¥660,000 → ¥720,000, ${dayRe} – ${dayRe}\\)$`),
    new RegExp(`^Renewal proposal: ${plan} \\(Upsell ¥660,000 → ¥720,000\\)$`),
    new RegExp(`^Renewal hearing: ${plan} \\(satisfaction 4/5\\)$`),
    new RegExp(`^Contract started: ${plan} \\(${dayRe} – ${dayRe}\\)$`),
  ];
  for (const re of expect) assert.ok(history.some((x) => re.test(x)), `${re} in ${JSON.stringify(history)}`);
  assert.ok(!history.some((x) => /契約|更新|満足度/.test(x.replace(plan, ''))), `no Japanese words of Kizuna's: ${JSON.stringify(history)}`);
  await app.screenshot('customer-timeline-en');
});

test('a card alone in its lane opens its Next menu inside the window; the contract dialog and the cards never overflow or break a word', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  const customer = `一社だけ商事${Date.now() % 100000}`;
  const companyId = await app.invoke('create_company', {
    company: { name: customer, name_kana: 'いっしゃだけしょうじ', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
  });
  const card0 = await app.invoke('create_contract', {
    contract: {
      company_id: companyId, deal_id: null, plan: 'プレミアムサポート 年額', start_date: day(40 - 364), end_date: day(40), auto_renew: true,
      amount: 1_800_000, currency: 'JPY', billing: 'annual', notice_days: 30, owner_id: null, hearing_days: null, proposal_days: null,
    },
  });
  // The only contract in 更新手続き: its card is alone (and last) in that lane.
  await app.invoke('advance_renewal', { id: card0.id, version: card0.version, step: 'procedure', input: { satisfaction: null, problems: '', proposal_kind: null, new_amount: null, churn_reason: '' } });

  // The contract dialog at 1280×800: nothing sticks out, nothing scrolls sideways.
  await app.exec('window.resizeTo?.(1280, 800)');
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', customer);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  await app.click('[data-testid="contract-add"]');
  await app.find('[data-testid="contract-dialog"]');
  const overflow = await app.exec(`
    const d = document.querySelector('[data-testid="contract-dialog"]');
    const content = d.querySelector('.content');
    const box = d.getBoundingClientRect();
    const out = [...d.querySelectorAll('input, button, select')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5);
    }).map((el) => el.dataset.testid || el.id || el.outerHTML.slice(0, 60));
    return { sideways: content.scrollWidth > content.clientWidth, out, width: window.innerWidth };`);
  assert.deepEqual({ sideways: overflow.sideways, out: overflow.out }, { sideways: false, out: [] }, `the dialog at ${overflow.width}px wide`);
  await app.screenshot('contract-dialog-fit-ja');
  await app.click('[data-testid="contract-dialog-cancel"]');

  await app.click('[data-testid="nav-renewals"]');
  await app.click('[data-testid="renewals-mode-step"]');
  const card = `[data-testid="renewal-card"][data-id="${card0.id}"]`;
  await app.find(`[data-testid="renewal-lane"][data-bucket="procedure"] ${card}`);
  assert.equal(await app.exec(`return document.querySelector('[data-testid="renewal-lane"][data-bucket="procedure"]').dataset.count`), '1', 'alone in its lane');

  // Amounts with their unit and step names stay on one line.
  const broken = await app.exec(`
    return [...document.querySelectorAll('[data-testid="renewal-card"] :is(.amount, .step)')]
      .filter((el) => el.getClientRects().length > 1 || el.getBoundingClientRect().height > parseFloat(getComputedStyle(el).lineHeight) * 1.5 + 4)
      .map((el) => el.textContent.trim());`);
  assert.deepEqual(broken, [], 'no amount or step name breaks inside');

  // The lone card's menu: fully inside the window, on top, and its item clickable.
  await app.click(`${card} [data-testid="renewal-next-step"]`);
  const item = `${card} [data-testid="renewal-to-post_renewal"]`;
  await app.find(item);
  const reach = await app.exec(`
    const el = document.querySelector(arguments[0]);
    const r = el.getBoundingClientRect();
    const menu = el.closest('[role="menu"]').getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { inside: menu.top >= 0 && menu.left >= 0 && menu.bottom <= innerHeight && menu.right <= innerWidth, onTop: hit === el };`, [item]);
  assert.deepEqual(reach, { inside: true, onTop: true }, 'the menu item is visible and is what a click hits');
  await app.screenshot('renewal-lone-card-menu-ja');
  await app.click(item);

  // The renewal preview names the years (the next period ends next year at the earliest).
  const preview = await app.text('[data-testid="step-renew-preview"]');
  const nextEnd = new Date(`${day(40)}T00:00:00`);
  nextEnd.setFullYear(nextEnd.getFullYear() + 1);
  assert.match(preview, new RegExp(`${nextEnd.getFullYear()}年`), `the preview names the year: ${preview}`);
  await app.screenshot('renewal-preview-year-ja');
  await app.click('[data-testid="step-save"]');
  await app.find(`${card}[data-step="post_renewal"]`);
});
