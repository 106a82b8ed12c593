// End-to-end: dates and times follow the UI language, not the system
// locale. WebKitGTK draws its own date and time inputs in the system locale
// (11/30/2026, 07:05 PM for a Japanese user on an en_US system); Kizuna's
// fields write the UI language's format whatever the system says.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { App, freshHome, startOnSample } from './wd.mjs';

let app;
afterEach(async () => {
  if (!app) return;
  await app.screenshot('last-dates').catch(() => {});
  await app.quit();
  app = undefined;
});

const nativeDateInputs = () =>
  app.exec(`return document.querySelectorAll('input[type="date"], input[type="time"], input[type="datetime-local"], input[type="month"]').length`);
const value = (testid) => app.exec(`return document.querySelector('[data-testid="${testid}"]').value`);
const pad = (n) => String(n).padStart(2, '0');

test('the Japanese UI on an en_US system writes 2026/… and 19:05; the English UI writes 30 Nov 2026 and 7:05 PM', async () => {
  app = await App.launch({ home: freshHome(), lang: 'en_US.UTF-8' });
  await startOnSample(app);
  await app.find('[data-testid="deal-card"]');
  assert.equal(await app.exec('return navigator.language'), 'en-US', 'the webview runs in the system locale');
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-ja"]');
  await app.waitFor(async () => (await app.text('[data-testid="nav-board"]')).includes('案件ボード'), 10000, 'the Japanese UI');

  // Quiet hours: 24-hour times, not 08:00 PM.
  await app.find('[data-testid="quiet-hours"]');
  if (!(await app.exec(`return document.querySelector('[data-testid="quiet-hours"]').checked`))) await app.click('[data-testid="quiet-hours"]');
  await app.find('[data-testid="quiet-start"]');
  assert.match(await value('quiet-start'), /^\d{2}:\d{2}$/, 'a 24-hour time');
  assert.equal(await nativeDateInputs(), 0, 'no input drawn by the system locale');
  await app.screenshot('dates-settings-ja-on-en-system');

  // A deal's expected close: typed the American way with the month as a
  // word, or picked from the calendar, it reads 2026/…
  await app.click('[data-testid="nav-board"]');
  await app.click('[data-testid="board-new-deal"]');
  await app.find('[data-testid="deal-dialog"]');
  assert.equal(await nativeDateInputs(), 0, 'no native date input in the deal dialog');
  await app.type('[data-testid="deal-expected-close"]', 'Nov 30, 2026');
  await app.click('[data-testid="deal-title"]');
  assert.equal(await value('deal-expected-close'), '2026/11/30 (月)');
  await app.type('[data-testid="deal-expected-close"]', '１２／２４');
  await app.click('[data-testid="deal-title"]');
  const year = new Date().getFullYear();
  assert.match(await value('deal-expected-close'), new RegExp(`^${year}/12/24 \\(.\\)$`), 'full-width 12/24 is this year’s');
  await app.click('[data-testid="deal-expected-close-calendar"]');
  await app.find('[data-testid="deal-expected-close-popup"]');
  assert.match(await app.text('[data-testid="deal-expected-close-popup"] .heading'), new RegExp(`^${year}年12月$`));
  await app.screenshot('dates-calendar-ja-on-en-system');
  // Keyboard: one day on, Enter picks it.
  await app.keys(['\uE014']);
  await app.keys(['\uE007']);
  assert.match(await value('deal-expected-close'), new RegExp(`^${year}/12/25 \\(.\\)$`));
  await app.click('[data-testid="deal-dialog-cancel"]');
  await app.click('[data-testid="modal-discard"]');

  // A logged touch: its time in the Japanese way.
  await app.click('[data-testid="nav-customers"]');
  await app.click('[data-testid="customer-open"]');
  await app.find('[data-testid="log-when"]');
  const now = new Date();
  assert.equal(await value('log-when'), `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} (${'日月火水木金土'[now.getDay()]})`);
  assert.match(await value('log-when-time'), /^\d{2}:\d{2}$/);
  assert.doesNotMatch(await value('log-when-time'), /[AP]M/);
  assert.equal(await nativeDateInputs(), 0, 'no native date input on the customer page');
  await app.screenshot('dates-log-touch-ja-on-en-system');

  // The same fields in English.
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.click('[data-testid="nav-customers"]');
  await app.click('[data-testid="customer-open"]');
  await app.find('[data-testid="log-when"]');
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][now.getMonth()];
  await app.waitFor(async () => (await value('log-when')).startsWith(`${now.getDate()} ${month} ${now.getFullYear()}`), 10000, 'the English date');
  assert.match(await value('log-when-time'), /^\d{1,2}:\d{2} [AP]M$/);
  await app.screenshot('dates-log-touch-en');
});
