// End-to-end: a customer's page and timeline, and global search (Ctrl+K)
// finding a meeting by a Japanese substring of its minutes.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, freshHome, startOnSample } from './wd.mjs';

let app;
afterEach(async () => {
  if (!app) return;
  await app.screenshot('last-customers').catch(() => {});
  await app.quit();
  app = undefined;
});

const entries = () =>
  app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => ({
    kind: e.dataset.kind,
    at: e.querySelector('time').getAttribute('datetime'),
    text: e.textContent,
  }))`);

test('a customer page shows its timeline newest first, filters by kind, and search opens a meeting by its minutes', async () => {
  app = await App.launch({ home: freshHome() });
  // The first run asks who you are: that name signs the thank-you mail below.
  await startOnSample(app, '山田 花子');
  await app.find('[data-testid="deal-card"]');

  // From the customer list to a customer's page.
  await app.click('[data-testid="nav-customers"]');
  const name = await app.text('[data-testid="customer-open"]');
  await app.click('[data-testid="customer-open"]');
  await app.find('[data-testid="customer-page"]');
  await app.find('[data-testid="timeline-entry"]');
  const all = await entries();
  assert.ok(all.length > 1, 'the sample customer has history');
  const times = all.map((e) => Date.parse(e.at));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
  assert.ok((await app.text('.view-header h1')).includes(name), 'the header names the customer');
  await app.screenshot('customer-page-ja');

  // Only meetings.
  await app.click('[data-testid="timeline-filter-meeting"]');
  const meetings = await app.waitFor(async () => {
    const e = await entries();
    return e.length && e.every((x) => x.kind === 'meeting') ? e : null;
  }, 10000, 'only meetings');
  assert.ok(meetings.length >= 1);

  // Ctrl+K, a Japanese phrase from inside meeting minutes.
  await app.click('[data-testid="nav-board"]');
  await app.find('[data-testid="deal-card"]');
  await app.keys(['\uE009', 'k']);
  await app.find('[data-testid="search-dialog"]');
  await app.type('[data-testid="search-input"]', '作業が集中');
  const hit = await app.find('[data-testid="search-hit"][data-kind="activities"]');
  const marked = await app.exec(`return [...document.querySelectorAll('[data-testid="search-hit"][data-kind="activities"] mark')].map((m) => m.textContent)`);
  assert.ok(marked.includes('作業が集中'), `the match is marked, got ${marked}`);
  await app.screenshot('search-ja');
  await app.click(`[data-testid="search-hit"][data-kind="activities"]`);
  await app.find('[data-testid="customer-page"]');
  await app.find('[data-testid="timeline-minutes"]');
  const minutes = await app.exec(`return [...document.querySelectorAll('[data-testid="timeline-minutes"]')].map((m) => m.textContent)`);
  assert.ok(minutes.some((m) => m.includes('作業が集中')), 'the customer of that meeting is open, its minutes on the timeline');
  void hit;

  // Log a meeting with minutes and a next appointment; hostile-looking text
  // is stored and shown exactly as typed, never run.
  const minutesText = '議事録テスト：導入時期は来期 <img src=x onerror="window.__pwned=1"> ; DROP TABLE deals;--';
  await app.type('[data-testid="log-summary"]', 'E2E 定例訪問 🙂');
  await app.type('[data-testid="log-minutes"]', minutesText);
  await app.type('[data-testid="log-todos"]', '・見積の再提出');
  await app.exec(`
    const next = document.querySelector('[data-testid="log-next"]');
    const d = new Date(Date.now() + 3 * 86400000); d.setHours(10, 0, 0, 0);
    const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    next.value = local; next.dispatchEvent(new Event('input', { bubbles: true }));
  `);
  await app.click('[data-testid="log-signal-second_visit"]');
  await app.type('[data-testid="log-signal-custom"]', '社長が同席');
  await app.click('[data-testid="log-save"]');
  await app.find('[data-testid="log-saved"]');
  const top = await app
    .waitFor(async () => {
      const e = await entries();
      return e[0]?.text.includes('E2E 定例訪問') ? e[0] : null;
    }, 10000, 'the new meeting on top of the timeline')
    .catch(async (e) => {
      throw new Error(`${e.message}; the timeline starts with ${JSON.stringify((await entries()).slice(0, 3))}`);
    });
  assert.ok(top.text.includes(minutesText), 'minutes shown exactly as typed');
  assert.ok(top.text.includes('再訪問に合意') && top.text.includes('社長が同席'), 'the ticked and the custom buying signal are on the entry');
  assert.equal(await app.exec('return window.__pwned ?? null'), null, 'nothing in the note ran');
  assert.equal(await app.exec(`return document.querySelectorAll('[data-testid="timeline-entry"] img').length`), 0, 'no element was made from the text');
  await app.screenshot('customer-logged-meeting-ja');

  // The thank-you mail from that meeting: thanks, minutes, to-dos; recording it
  // puts an outbound e-mail on top of the timeline.
  await app.click('[data-testid="timeline-entry"] [data-testid="timeline-thank-you"]');
  await app.find('[data-testid="thank-you-body"]');
  const body = await app.exec(`return document.querySelector('[data-testid="thank-you-body"]').value`);
  assert.match(body, /誠にありがとうございました/, 'Japanese business thanks');
  assert.ok(body.includes(minutesText), 'the minutes are in the mail, as typed');
  assert.ok(body.includes('・見積の再提出'), 'the to-dos are in the mail');
  assert.match(body, /次回のお打ち合わせ日時/, 'the next appointment is in the mail');
  assert.ok(body.includes('山田 花子でございます'), 'signed with the name given on the first run');
  assert.doesNotMatch(body, new RegExp(`${process.env.USER ?? 'user'}でございます`), 'not with the OS login');
  const subject = await app.text('[data-testid="thank-you-subject"]');
  await app.screenshot('thank-you-mail-ja');

  // The draft closes every way a dialog closes: ✕, Esc (with no click inside
  // first: the focus is already there), a click on the backdrop, Close.
  const thankYou = '[data-testid="thank-you-dialog"]';
  const closedBy = (how) => app.waitFor(async () => !(await app.findAll(thankYou)).length, 5000, `the draft closed by ${how}`);
  const reopen = async () => {
    await app.click('[data-testid="timeline-entry"] [data-testid="timeline-thank-you"]');
    await app.find('[data-testid="thank-you-body"]');
  };
  await app.click(`${thankYou} [data-testid="modal-close"]`);
  await closedBy('its ✕');
  await reopen();
  assert.ok(await app.exec(`return document.querySelector(arguments[0]).contains(document.activeElement)`, [thankYou]), 'the focus moved into the dialog');
  await app.keys(['\uE00C']);
  await closedBy('Esc');
  await reopen();
  const backdrop = await app.exec(`
    const r = document.querySelector(arguments[0]).getBoundingClientRect();
    return { x: Math.round(r.left / 2), y: Math.round(r.top + r.height / 2) };`, [thankYou]);
  await app.clickAt(backdrop.x, backdrop.y);
  await closedBy('a click on the backdrop');
  await reopen();
  await app.click('[data-testid="thank-you-dialog-cancel"]');
  await closedBy('its Close button');
  await reopen();
  await app.click('[data-testid="thank-you-sent"]');
  await app.waitFor(async () => {
    const e = await entries();
    return e[0]?.kind === 'email' && e[0].text.includes(subject) ? e : null;
  }, 10000, 'the sent mail on top of the timeline');
  await app.click('[data-testid="nav-followups"]');
  await app.waitFor(async () => {
    const items = await app.exec(`return [...document.querySelectorAll('[data-testid="followup-item"]')].map((i) => ({ kind: i.dataset.kind, text: i.textContent }))`);
    return items.some((i) => i.kind === 'appointment' && i.text.includes('次回アポイント')) ? items : null;
  }, 10000, 'the appointment follow-up from the next appointment');

  // Back to the customer through search, by the meeting's own words.
  await app.keys(['\uE009', 'k']);
  await app.type('[data-testid="search-input"]', 'E2E 定例訪問');
  await app.click('[data-testid="search-hit"][data-kind="activities"]');
  await app.find('[data-testid="customer-page"]');

  // The author edits the meeting, then deletes it: it stays in place as removed.
  const mine = `//li[@data-testid='timeline-entry'][.//p[@data-testid='timeline-summary' and starts-with(normalize-space(), 'E2E 定例訪問')]]`;
  const entryEl = async () => {
    const [el] = await app.waitFor(async () => {
      const els = (await app.cmd('POST', '/elements', { using: 'xpath', value: mine })).map((e) => Object.values(e)[0]);
      return els.length ? els : null;
    }, 10000, 'the logged meeting');
    return el;
  };
  let el = await entryEl();
  const entryId = await app.attr(el, 'data-id');
  await app.click(`[data-id="${entryId}"] [data-testid="entry-edit"]`);
  await app.type(`[data-id="${entryId}"] [data-testid="entry-edit-summary"]`, 'E2E 定例訪問（修正）');
  await app.click(`[data-id="${entryId}"] [data-testid="entry-edit-save"]`);
  await app.waitFor(async () => (await app.text(`[data-id="${entryId}"] [data-testid="timeline-summary"]`)).includes('（修正）'), 10000, 'the edited summary');
  await app.click(`[data-id="${entryId}"] [data-testid="entry-remove"]`);
  await app.click(`[data-id="${entryId}"] [data-testid="entry-remove-confirm"]`);
  await app.waitFor(async () => (await app.text(`[data-id="${entryId}"]`)).includes('削除されました'), 10000, 'shown as removed');
  // (A colleague-change refresh may be on its way: the page settles, it does not flicker back.)
  await app.waitFor(async () => (await app.findAll(`[data-id="${entryId}"] [data-testid="timeline-minutes"]`)).length === 0, 5000, 'a removed entry keeps its place, not its words');
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal((await app.findAll(`[data-id="${entryId}"] [data-testid="timeline-minutes"]`)).length, 0, 'a removed entry keeps its place, not its words');

  // A customer whose next step is past: marked overdue like the board's card.
  await app.click('[data-testid="nav-followups"]');
  await app.click('[data-testid="followups-team"]');
  const late = '[data-testid="followups-group"][data-state="overdue"] [data-testid="followup-item"]';
  await app.find(late);
  await app.click(`${late} .context .link`);
  await app.find('[data-testid="customer-page"]');
  await app.find('[data-testid="customer-next-follow-up"][data-state="overdue"]');
  assert.equal(await app.text('[data-testid="customer-next-step"]'), '期限超過', 'the board’s word for it');
  await app.screenshot('customer-next-step-overdue-ja');

  // The same page in English.
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.click('[data-testid="nav-customers"]');
  await app.click('[data-testid="customer-open"]');
  await app.find('[data-testid="timeline-entry"]');
  await app.waitFor(async () => (await app.text('[data-testid="customer-back"]')).includes('Back'), 10000, 'English page');
  await app.screenshot('customer-page-en');
});

test('a new customer with a Japanese name is created, listed first when never contacted, and found by its reading', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  await app.click('[data-testid="nav-customers"]');
  await app.find('[data-testid="customer-row"]');
  await app.click('[data-testid="customers-new"]');
  await app.find('[data-testid="company-dialog"]');
  await app.click('[data-testid="company-create"]');
  assert.match(await app.text('[data-testid="company-dialog"] [role="alert"]'), /会社名/, 'a name is required');
  await app.type('[data-testid="company-name"]', '株式会社絆テスト商事');
  await app.type('[data-testid="company-kana"]', 'きずなてすとしょうじ');
  await app.type('[data-testid="company-industry"]', '卸売業');
  await app.click('[data-testid="company-segment-key"]');
  await app.type('[data-testid="company-tags"]', '展示会2026、紹介');
  await app.screenshot('company-dialog-ja');
  await app.click('[data-testid="company-create"]');
  await app.find('[data-testid="customer-page"]');
  await app.waitFor(async () => (await app.text('.view-header h1')).includes('株式会社絆テスト商事'), 10000, 'the new page');

  // A contact, and an edit of the customer itself.
  await app.click('[data-testid="contact-add"]');
  await app.type('[data-testid="contact-name"]', '山田 花子');
  await app.type('[data-testid="contact-kana"]', 'やまだ はなこ');
  await app.type('[data-testid="contact-email"]', 'hanako@example.co.jp');
  await app.click('[data-testid="contact-create"]');
  await app.waitFor(async () => (await app.text('[data-testid="customer-page"]')).includes('hanako@example.co.jp'), 10000, 'the contact on the page');
  await app.click('[data-testid="customer-edit"]');
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="company-industry"]').value`)) === '卸売業', 10000, 'the edit form filled');
  await app.type('[data-testid="company-industry"]', '小売業');
  await app.click('[data-testid="company-create"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="company-dialog"]')).length, 10000, 'saved');

  // Never contacted: first when sorted by the longest without contact.
  await app.click('[data-testid="customer-back"]');
  await app.click('[data-testid="customers-sort-last_contact"]');
  await app.waitFor(async () => (await app.text('[data-testid="customer-open"]')).includes('株式会社絆テスト商事'), 10000, 'never-contacted customer first');
  assert.match(await app.text('[data-testid="customer-row"]'), /小売業/, 'the edited industry is listed');
  await app.type('[data-testid="customers-search"]', '展示会2026');
  await app.waitFor(async () => {
    const names = await app.exec(`return [...document.querySelectorAll('[data-testid="customer-open"]')].map((b) => b.textContent.trim())`);
    return names.length === 1 && names[0] === '株式会社絆テスト商事';
  }, 10000, 'found by its tag');
  await app.click('[data-testid="customers-segment-key"]');
  await app.waitFor(async () => {
    const segs = await app.exec(`return [...document.querySelectorAll('[data-testid="customer-row"] .segment')].map((s) => s.classList.contains('key'))`);
    return segs.length > 0 && segs.every(Boolean);
  }, 10000, 'only key accounts');

  // Ctrl+K by part of the reading.
  await app.keys(['\uE009', 'k']);
  await app.type('[data-testid="search-input"]', 'きずなてすと');
  await app.find('[data-testid="search-hit"][data-kind="companies"]');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="search-hit"][data-kind="companies"] .title').textContent.trim()`), '株式会社絆テスト商事');
});

test('the customer page shows the facts and contacts; a meeting names who was there, the thank-you mail goes to them, and no mail program is said in words', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  await app.click('[data-testid="nav-customers"]');
  await app.click('[data-testid="customers-new"]');
  await app.find('[data-testid="company-dialog"]');
  const longPath = 'a'.repeat(140);
  await app.type('[data-testid="company-name"]', '株式会社連絡先テスト');
  await app.type('[data-testid="company-kana"]', 'れんらくさきてすと');
  await app.type('[data-testid="company-industry"]', '情報通信業');
  await app.type('[data-testid="company-address"]', '東京都千代田区丸の内1-1-1 丸の内ビル12F');
  await app.type('[data-testid="company-phone"]', '03-1234-5678');
  await app.type('[data-testid="company-website"]', `www.renraku.example.co.jp/${longPath}`);
  await app.type('[data-testid="company-tags"]', '展示会、紹介');
  await app.click('[data-testid="company-create"]');
  await app.find('[data-testid="customer-page"]');
  await app.waitFor(async () => (await app.text('.view-header h1')).includes('株式会社連絡先テスト'), 10000, 'the new page');
  const companyId = await app.exec(`return document.querySelector('[data-testid="customer-page"]').dataset.companyId`);

  // What was entered is on the page, outside the edit dialog.
  assert.equal(await app.text('[data-testid="customer-industry"]'), '情報通信業');
  assert.equal(await app.text('[data-testid="customer-address"]'), '東京都千代田区丸の内1-1-1 丸の内ビル12F');
  assert.equal(await app.text('[data-testid="customer-phone"]'), '03-1234-5678');
  const website = await app.exec(`const a = document.querySelector('[data-testid="customer-website-link"]'); return { href: a.getAttribute('href'), text: a.textContent }`);
  assert.equal(website.href, `https://www.renraku.example.co.jp/${longPath}`);
  const tags = await app.exec(`return [...document.querySelectorAll('[data-testid="customer-tag"]')].map((t) => t.textContent)`);
  assert.deepEqual(tags, ['展示会', '紹介']);
  // A long address without break points wraps inside the left column.
  const overflow = await app.exec(`const s = document.querySelector('.side'); return s.scrollWidth - s.clientWidth`);
  assert.ok(overflow <= 0, `the left column does not overflow (by ${overflow}px)`);

  // A contact whose mail field holds two addresses is refused beside the field, keeping what was typed.
  await app.click('[data-testid="contact-add"]');
  await app.type('[data-testid="contact-name"]', '山田 花子');
  await app.type('[data-testid="contact-kana"]', 'やまだ はなこ');
  await app.type('[data-testid="contact-title"]', '情報システム部 課長');
  await app.type('[data-testid="contact-email"]', 'hanako@example.co.jp,boss@example.co.jp');
  await app.type('[data-testid="contact-phone"]', '090-1111-2222');
  await app.click('[data-testid="contact-create"]');
  assert.match(await app.text('[data-testid="contact-email-error"]'), /メールアドレスは1件だけ/);
  assert.equal(await app.exec(`return document.querySelector('[data-testid="contact-email"]').value`), 'hanako@example.co.jp,boss@example.co.jp');
  await app.screenshot('contact-email-several-ja');
  await app.type('[data-testid="contact-email"]', 'hanako@example.co.jp');
  await app.click('[data-testid="contact-create"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="contact-dialog"]')).length, 10000, 'the contact saved');
  await app.click('[data-testid="contact-add"]');
  await app.type('[data-testid="contact-name"]', '伊藤 誠');
  await app.type('[data-testid="contact-kana"]', 'いとう まこと');
  await app.type('[data-testid="contact-email"]', 'makoto@example.co.jp');
  await app.click('[data-testid="contact-create"]');
  await app.waitFor(async () => (await app.findAll('[data-testid="company-contact"]')).length === 2, 10000, 'two contacts');
  const contacts = await app.exec(`return [...document.querySelectorAll('[data-testid="company-contact"]')].map((c) => ({
    id: c.dataset.contactId, text: c.textContent, mail: c.querySelector('[data-testid="contact-mail-link"]')?.getAttribute('href') ?? null }))`);
  const yamada = contacts.find((c) => c.text.includes('山田 花子'));
  const ito = contacts.find((c) => c.text.includes('伊藤 誠'));
  assert.ok(yamada.text.includes('090-1111-2222'), 'the contact’s phone is shown');
  assert.ok(yamada.text.includes('情報システム部 課長'), 'and the title');
  assert.equal(yamada.mail, 'mailto:hanako@example.co.jp', 'the address is a mail link');
  await app.screenshot('customer-facts-contacts-ja');
  // Links open outside the window (which never navigates away); with no browser or mail program
  // here, each says so in words.
  await app.click('[data-testid="customer-website-link"]');
  await app.click(`[data-contact-id="${yamada.id}"] [data-testid="contact-mail-link"]`);
  await app.waitFor(async () => {
    const texts = await app.exec(`return [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent)`);
    return texts.some((x) => x.includes('ブラウザを開けませんでした')) && texts.some((x) => x.includes('メールソフトを開けませんでした') && x.includes('hanako@example.co.jp'));
  }, 10000, 'the browser and the mail program said to be missing');
  const here = await app.exec('return location.href');
  assert.ok(!here.includes('renraku') && !here.startsWith('mailto:'), `the window stayed on Kizuna: ${here}`);
  await app.find('[data-testid="customer-page"]');
  await app.exec(`document.querySelectorAll('[data-testid="toast"] button').forEach((b) => b.click())`);

  // A meeting with both of them.
  await app.click(`[data-testid="log-contact"][data-contact-id="${yamada.id}"]`);
  await app.click(`[data-testid="log-contact"][data-contact-id="${ito.id}"]`);
  await app.type('[data-testid="log-summary"]', '要件ヒアリング');
  await app.type('[data-testid="log-minutes"]', '・現行システムの課題を確認');
  await app.click('[data-testid="log-save"]');
  await app.find('[data-testid="log-saved"]');
  const met = await app.waitFor(async () => {
    const e = await entries();
    return e[0]?.text.includes('要件ヒアリング') ? e[0] : null;
  }, 10000, 'the meeting on top');
  assert.ok(met.text.includes('相手: 山田 花子、伊藤 誠'), `the entry names who was there: ${met.text}`);
  assert.equal(await app.exec(`return document.querySelectorAll('[data-testid="log-contact"]:checked').length`), 0, 'the form starts over');

  // The thank-you mail is addressed to them.
  await app.click('[data-testid="timeline-entry"] [data-testid="timeline-thank-you"]');
  await app.find('[data-testid="thank-you-body"]');
  assert.equal(await app.text('[data-testid="thank-you-to"]'), 'hanako@example.co.jp, makoto@example.co.jp');
  const body = await app.exec(`return document.querySelector('[data-testid="thank-you-body"]').value`);
  assert.ok(body.startsWith('株式会社連絡先テスト\n山田 花子 様\n伊藤 誠 様\n'), `addressed by name: ${body.slice(0, 60)}`);
  assert.ok(!body.includes('ご担当者様'));

  // No mail program on this machine (the test display has none): said in words, with the mail to copy.
  await app.click('[data-testid="thank-you-open"]');
  const said = await app.text('[data-testid="thank-you-no-mail-program"]');
  assert.match(said, /メールソフトを開けませんでした/);
  assert.ok(!said.includes('内部エラー') && !said.includes('mailto:'), `no internal error and no raw URL: ${said}`);
  assert.equal((await app.findAll('[data-testid="thank-you-dialog"] [data-testid="error-message"]')).length, 0, 'no error box');
  await app.screenshot('thank-you-no-mail-program-ja');
  await app.click('[data-testid="thank-you-copy-mail"]');
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="thank-you-copied"]')?.dataset.what ?? null`)) === 'mail', 5000, 'copied');
  await app.click('[data-testid="thank-you-sent"]');
  await app.waitFor(async () => {
    const e = await entries();
    return e[0]?.kind === 'email' && e[0].text.includes('山田 花子') ? e : null;
  }, 10000, 'the sent mail names the same contacts');

  // The touch's contacts are changed by editing it.
  const meetingId = await app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].find((e) => e.textContent.includes('要件ヒアリング')).dataset.id`);
  await app.click(`[data-id="${meetingId}"] [data-testid="entry-edit"]`);
  await app.find(`[data-id="${meetingId}"] [data-testid="entry-edit-contact"][data-contact-id="${ito.id}"]`);
  await app.click(`[data-id="${meetingId}"] [data-testid="entry-edit-contact"][data-contact-id="${ito.id}"]`);
  await app.click(`[data-id="${meetingId}"] [data-testid="entry-edit-save"]`);
  await app.waitFor(async () => {
    const t = await app.text(`[data-id="${meetingId}"] [data-testid="timeline-contacts"]`);
    return t === '相手: 山田 花子' ? t : null;
  }, 10000, 'only Yamada named after the edit');

  // Edit a contact; a colleague's save meanwhile shows both versions.
  await app.click(`[data-contact-id="${ito.id}"] [data-testid="contact-edit"]`);
  await app.waitFor(async () => (await app.exec(`return document.querySelector('[data-testid="contact-name"]').value`)) === '伊藤 誠', 10000, 'the edit form filled');
  const itoRow = await app.invoke('contacts', { companyId });
  const v = itoRow.find((c) => c.id === ito.id).version;
  await app.invoke('update_contact', { id: ito.id, version: v, edit: { name: '伊藤 誠', name_kana: 'いとう まこと', title: '部長', email: 'makoto@example.co.jp', phone: '' } });
  await app.type('[data-testid="contact-title"]', '営業部 主任');
  await app.type('[data-testid="contact-phone"]', '03-9999-0000');
  await app.click('[data-testid="contact-create"]');
  await app.find('[data-testid="contact-dialog"] [data-testid="conflict-panel"]');
  const rows = await app.exec(`return [...document.querySelectorAll('[data-testid="conflict-row"]')].map((r) => r.dataset.field)`);
  assert.ok(rows.includes('title'), `the title differs: ${rows}`);
  await app.screenshot('contact-conflict-ja');
  await app.click('[data-testid="conflict-apply-mine"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="contact-dialog"]')).length, 10000, 'mine applied');
  await app.waitFor(async () => (await app.text(`[data-contact-id="${ito.id}"]`)).includes('営業部 主任'), 10000, 'the edited title');
  assert.ok((await app.text(`[data-contact-id="${ito.id}"]`)).includes('03-9999-0000'));

  // Remove him (after confirming); the timeline keeps his name where he was met.
  await app.click(`[data-contact-id="${ito.id}"] [data-testid="contact-remove"]`);
  await app.click(`[data-contact-id="${ito.id}"] [data-testid="contact-remove-confirm"]`);
  await app.waitFor(async () => (await app.findAll(`[data-testid="company-contact"][data-contact-id="${ito.id}"]`)).length === 0, 10000, 'removed from the list');
  assert.equal((await app.findAll('[data-testid="company-contact"]')).length, 1);
  await app.waitFor(async () => (await entries()).some((e) => e.kind === 'email' && e.text.includes('伊藤 誠（削除済み）')), 10000, 'the sent mail still names him, as removed');

  // SNS and contract entries have their chips.
  await app.click('[data-testid="log-kind-sns"]');
  await app.type('[data-testid="log-summary"]', 'LinkedInでメッセージ');
  await app.click('[data-testid="log-save"]');
  await app.waitFor(async () => (await entries()).some((e) => e.kind === 'sns' && e.text.includes('LinkedInでメッセージ')), 10000, 'the SNS entry');
  await app.invoke('create_contract', {
    contract: {
      company_id: companyId, deal_id: null, plan: 'クラウド年間契約', start_date: '2026-01-01', end_date: '2027-12-31', auto_renew: true,
      amount: 1200000, currency: 'JPY', billing: 'annual', notice_days: 30, owner_id: null, hearing_days: null, proposal_days: null,
    },
  });
  await app.waitFor(async () => (await entries()).some((e) => e.kind === 'contract'), 10000, 'the contract entry');
  for (const kind of ['sns', 'contract']) {
    await app.click(`[data-testid="timeline-filter-${kind}"]`);
    await app.waitFor(async () => {
      const e = await entries();
      return e.length > 0 && e.every((x) => x.kind === kind);
    }, 10000, `only ${kind} entries`);
  }
  await app.screenshot('timeline-filter-contract-ja');
  await app.click('[data-testid="timeline-filter-all"]');
  await app.waitFor(async () => (await entries()).length >= 4, 10000, 'all entries again');

  // The page in English.
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.click('[data-testid="nav-customers"]');
  await app.type('[data-testid="customers-search"]', '連絡先テスト');
  await app.waitFor(async () => (await app.text('[data-testid="customer-open"]')).includes('連絡先テスト'), 10000, 'found');
  await app.click('[data-testid="customer-open"]');
  await app.find('[data-testid="company-contact"]');
  await app.waitFor(async () => (await app.text('[data-testid="customer-page"]')).includes('Industry'), 10000, 'English facts');
  await app.screenshot('customer-facts-contacts-en');
});

test('a deal is added from the customer page; deleting the customer names its open deal, and Undo brings both back', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  const name = `削除テスト商会${Date.now() % 100000}`;
  const title = `E2E 顧客ページからの案件 ${Date.now() % 100000}`;
  const companyId = await app.invoke('create_company', {
    company: { name, name_kana: 'さくじょてすとしょうかい', industry: '', segment: null, owner_id: null, address: '', phone: '', website: '', tags: [] },
  });
  await app.click('[data-testid="nav-customers"]');
  await app.type('[data-testid="customers-search"]', name);
  await app.waitFor(async () => (await app.text('[data-testid="customer-open"]')) === name, 10000, 'the new customer listed');
  await app.click('[data-testid="customer-open"]');
  await app.find('[data-testid="customer-page"]');

  // A new deal from the page: the customer is already chosen.
  await app.click('[data-testid="customer-new-deal"]');
  await app.find('[data-testid="deal-dialog"]');
  assert.equal(await app.text('[data-testid="deal-company-chosen"]'), name);
  await app.type('[data-testid="deal-title"]', title);
  await app.type('[data-testid="deal-amount"]', '2,400,000');
  await app.screenshot('customer-new-deal-ja');
  await app.click('[data-testid="deal-save"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="deal-dialog"]')).length, 10000, 'the deal saved');
  await app.waitFor(async () => (await app.text('[data-testid="customer-page"]')).includes(title), 10000, 'the deal among the open deals');
  const dealId = await dealOf(companyId, title);
  assert.ok(dealId, 'the deal is on the board, for this customer');

  // Deleting asks, and says what goes with the customer.
  await app.click('[data-testid="customer-delete"]');
  await app.find('[data-testid="customer-delete-impact"]');
  assert.match(await app.text('[data-testid="customer-delete-impact"]'), /進行中の案件 1件/);
  assert.equal(await app.exec(`return document.querySelector('[data-testid="customer-delete-confirm"]').disabled`), true, 'open work needs the tick first');
  await app.screenshot('customer-delete-ja');
  await app.click('[data-testid="customer-delete-agree"]');
  await app.click('[data-testid="customer-delete-confirm"]');
  await app.find('[data-testid="customer-row"]');
  await app.type('[data-testid="customers-search"]', name);
  await app.waitFor(async () => (await app.findAll('[data-testid="customer-open"]')).length === 0, 10000, 'the customer gone from the list');
  await assert.rejects(app.invoke('deal', { id: dealId }), /not_found/, 'its deal went with it');

  // Undo: the customer and its deal are back, and the timeline says what happened.
  await app.click('[data-testid="toast-undo"]');
  await app.find('[data-testid="customer-page"]');
  await app.waitFor(async () => (await app.text('[data-testid="customer-page"]')).includes(title), 10000, 'the deal back on the page');
  await app.waitFor(async () => {
    const lines = await app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"][data-kind="system"] [data-testid="timeline-summary"]')].map((e) => e.textContent)`);
    return lines.some((l) => l.includes('元に戻しました')) && lines.some((l) => l.includes('削除しました')) ? lines : null;
  }, 10000, 'the delete and the undo on the timeline');
  assert.equal((await app.invoke('deal', { id: dealId })).title, title);
  await app.screenshot('customer-restored-ja');
});

/** The id of a customer's deal by its title, from the engine's own board. */
async function dealOf(companyId, title) {
  const board = await app.invoke('board', { pipelineId: null, filter: null });
  return board.columns.flatMap((c) => c.cards).find((c) => c.company_id === companyId && c.title === title)?.id ?? null;
}
