// End-to-end: importing a customer list in the real window (docs/import.md).
// The native file dialog cannot be driven over WebDriver, so the test
// answers it: the window's IPC call `plugin:dialog|open` is answered with
// the fixture's path (every other call passes through), and the test
// clicks the view's own "choose a file" button. The file is a
// Shift_JIS CSV as Excel in Japan saves it, with a title line, a column
// Kizuna cannot guess (the user maps it), a row with an unknown owner (the
// preview shows it) and 2,000 more rows (the progress bar shows). The
// imported customer is found with Japanese search, and the batch is undone.
// A second, English window on the same team file sees the batch and
// previews the same file in English.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';

const apps = [];
after(async () => {
  for (const a of apps) {
    await a.screenshot(`last-import-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
});

/**
 * The file dialog answers `path`; every other call reaches the backend as
 * usual. Tauri defines `__TAURI_INTERNALS__.invoke` read-only, so the
 * answer is given one step further, where a call leaves the page: the
 * `fetch` to the app's `ipc:` protocol for `plugin:dialog|open` is answered
 * as the backend answers it (`Tauri-Response: ok`, the path as JSON).
 */
async function answerFileDialog(app, path) {
  await app.exec(
    `const picked = arguments[0];
     const real = window.__kizunaRealFetch ?? window.fetch.bind(window);
     window.__kizunaRealFetch = real;
     window.fetch = (resource, init) => {
       const url = typeof resource === 'string' ? resource : resource.url;
       if (decodeURIComponent(url).includes('plugin:dialog|open')) {
         return Promise.resolve(new Response(JSON.stringify(picked), {
           headers: { 'Tauri-Response': 'ok', 'Content-Type': 'application/json' },
         }));
       }
       return real(resource, init);
     };`,
    [path],
  );
}

/** Live companies in the team file (read beside the app, as an admin would). */
function companies(team) {
  return Number(
    execFileSync('/usr/bin/python3', ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from companies where deleted_at is null").fetchone()[0])', team])
      .toString()
      .trim(),
  );
}

/** The customer list as Excel saves it: Shift_JIS (CP932), CRLF, a title line above the header. */
function writeCustomerList(dir) {
  const lines = ['得意先一覧（営業部）', '得意先,業種,TEL,担当営業', '株式会社髙松精機,製造,087-111-2222,sato', '﨑元物産株式会社,卸売,092-333-4444,', '"株式会社みなと, 東京支店",物流,03-5555-6666,誰でもない人'];
  for (let i = 1; i <= 2000; i++) lines.push(`株式会社テスト取込${String(i).padStart(4, '0')},サービス,,`);
  const path = join(dir, '得意先一覧.csv');
  execFileSync('/usr/bin/python3', ['-c', 'import sys; open(sys.argv[1], "wb").write(sys.stdin.read().encode("cp932"))', path], {
    input: lines.join('\r\n') + '\r\n',
  });
  return path;
}

test('a Shift_JIS customer list is mapped, previewed with its problems, imported with progress, found by Japanese search and undone', async () => {
  const dir = freshHome('kizuna-share-');
  const team = join(dir, 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const file = writeCustomerList(dir);
  const before = companies(team);

  const app = await App.launch({ home: teamDesktop(team, 'ja'), env: { USER: 'sato' } });
  apps.push(app);
  await answerWhoAreYou(app, 'sato');
  await app.find('[data-testid="deal-card"]');

  await app.click('[data-testid="nav-import"]');
  await app.find('[data-testid="import-batches"]');
  await answerFileDialog(app, file);
  await app.click('[data-testid="import-choose"]');
  await app.find('[data-testid="import-mapping"]');
  assert.equal(await app.text('[data-testid="import-file"]'), '得意先一覧.csv');
  const mapped = await app.exec(`return [...document.querySelectorAll('[data-testid^="import-map-"]')].map((s) => s.value)`);
  assert.deepEqual(mapped, ['', 'industry', 'phone', 'owner'], '得意先 is not guessed; the others are');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="import-encoding"]').value`), 'shift_jis');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="import-header-row"]').value`), '2');

  // The dry run without a company column says so and offers nothing to import.
  await app.click('[data-testid="import-preview-button"]');
  await app.find('[data-testid="import-missing"]');
  assert.equal(await app.exec(`return document.querySelector('[data-testid="import-start"]').disabled`), true);

  // The user maps 得意先 to the company name; the dry run must be redone.
  await app.choose('[data-testid="import-map-0"]', 'company_name');
  await app.find('[data-testid="import-stale"]');
  await app.click('[data-testid="import-preview-button"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="import-stale"]')).length, 10000, 'a fresh preview');
  const counts = await app.text('[data-testid="import-counts"]');
  assert.match(counts, /2,003行：新規 2,002・更新 0・既存と一致 0・ファイル内の重複 0・問題あり 1/, counts);
  const first = await app.exec(`return [...document.querySelectorAll('[data-testid="import-row-3"] td')].map((td) => td.textContent)`);
  assert.deepEqual(first.slice(0, 5), ['3', '新規', '株式会社髙松精機', '', '製造']);
  const problem = await app.text('[data-testid="import-problems-5"] li[data-code="unknown_owner"]');
  assert.match(problem, /営業担当：このメンバーはチームにいません\s*「誰でもない人」/, problem);
  await app.screenshot('import-preview-ja');

  // Import: the progress bar shows while the batch runs.
  await app.exec(`window.__sawProgress = false;
    new MutationObserver(() => { if (document.querySelector('[data-testid="import-progress"]')) window.__sawProgress = true; })
      .observe(document.body, { childList: true, subtree: true });`);
  await app.click('[data-testid="import-start"]');
  await app.find('[data-testid="import-result"]', 60000);
  assert.equal(await app.exec('return window.__sawProgress'), true, 'the progress bar was shown');
  const summary = await app.text('[data-testid="import-summary"]');
  assert.match(summary, /追加 2,002・更新 0・スキップ 1・失敗 0/, summary);
  assert.equal(companies(team), before + 2002);
  await app.screenshot('import-done-ja');

  // The imported customer, found with Japanese search.
  await app.click('[data-testid="open-search"]');
  await app.find('[data-testid="search-dialog"]');
  await app.type('[data-testid="search-input"]', '髙松');
  const found = await app.waitFor(async () => {
    const titles = await app.exec(`return [...document.querySelectorAll('[data-testid="search-hit"]')].map((h) => h.textContent)`);
    return titles.find((x) => x.includes('株式会社髙松精機'));
  }, 10000, 'the imported customer in search');
  assert.ok(found);
  await app.screenshot('import-search-ja');
  await app.keys(['\uE00C']);

  // An English colleague sees the batch and previews the same file in English.
  const en = await App.launch({ home: teamDesktop(team, 'en'), env: { USER: 'takahashi' } });
  apps.push(en);
  await answerWhoAreYou(en, 'Takahashi Ken');
  await en.click('[data-testid="nav-import"]');
  await en.find('[data-testid="import-batch"][data-status="done"]');
  await answerFileDialog(en, file);
  await en.click('[data-testid="import-choose"]');
  await en.find('[data-testid="import-mapping"]');
  assert.equal(await en.exec(`return document.querySelector('[data-testid="import-map-0"]').value`), 'company_name', 'the saved mapping for this layout');
  await en.find('[data-testid="import-saved-mapping"]');
  await en.click('[data-testid="import-preview-button"]');
  await en.find('[data-testid="import-preview"]');
  const enCounts = await en.text('[data-testid="import-counts"]');
  assert.match(enCounts, /2,003 rows: 0 new · 0 update · 2,002 match existing · 0 repeated in the file · 1 with problems/, enCounts);
  assert.match(await en.text('[data-testid="import-problems-5"]'), /Owner is not a member of the team “誰でもない人”/);
  await en.screenshot('import-preview-en');

  // Undo, from the list of past imports: the file's count is back.
  await app.click('[data-testid="nav-import"]');
  await app.click('[data-testid="import-batch"][data-status="done"] [data-testid="import-batch-undo"]');
  await app.find('[data-testid="import-undone"]', 60000);
  assert.match(await app.text('[data-testid="import-undone"]'), /削除 2,002/);
  await app.find('[data-testid="import-batch"][data-status="undone"]');
  assert.equal(companies(team), before);
  await app.screenshot('import-undone-ja');
  await en.find('[data-testid="import-batch"][data-status="undone"]');
  await en.screenshot('import-batches-en');
});

/** A live customer of the demo team file and its contact count (read beside the app). */
function firstCustomer(team) {
  return execFileSync('/usr/bin/python3', ['-c', 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select name from companies where deleted_at is null order by name limit 1").fetchone()[0])', team])
    .toString()
    .trim();
}

test('a log of past touches is previewed with its problems, imported, and shows on the customer’s timeline', async () => {
  const dir = freshHome('kizuna-share-');
  const team = join(dir, 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const customer = firstCustomer(team);
  const path = join(dir, '対応履歴.csv');
  const lines = ['日付,会社名,種別,内容,詳細', `2024/4/1,${customer},訪問,取込テスト：工場見学,ラインを見学`, `2024/4/2,${customer},FAX,送付状,`];
  execFileSync('/usr/bin/python3', ['-c', 'import sys; open(sys.argv[1], "wb").write(sys.stdin.read().encode("cp932"))', path], {
    input: lines.join('\r\n') + '\r\n',
  });

  const app = await App.launch({ home: teamDesktop(team, 'ja'), env: { USER: 'sato' } });
  apps.push(app);
  await answerWhoAreYou(app, 'sato');
  await app.find('[data-testid="deal-card"]');
  await app.click('[data-testid="nav-import"]');
  await app.find('[data-testid="import-batches"]');
  await app.choose('[data-testid="import-kind"]', 'touches');
  await answerFileDialog(app, path);
  await app.click('[data-testid="import-choose"]');
  await app.find('[data-testid="import-mapping"]');
  const mapped = await app.exec(`return [...document.querySelectorAll('[data-testid^="import-map-"]')].map((s) => s.value)`);
  assert.deepEqual(mapped, ['occurred_on', 'company_name', 'touch_kind', 'summary', 'body']);
  await app.click('[data-testid="import-preview-button"]');
  await app.find('[data-testid="import-preview"]');
  const counts = await app.text('[data-testid="import-counts"]');
  assert.match(counts, /2行：新規 1・更新 0・既存と一致 0・ファイル内の重複 0・問題あり 1/, counts);
  // The kind shown in the reader's words; the unknown one named.
  const first = await app.exec(`return [...document.querySelectorAll('[data-testid="import-row-2"] td')].map((td) => td.textContent)`);
  assert.deepEqual(first.slice(0, 5), ['2', '新規', customer, '2024-04-01', '対面']);
  assert.match(await app.text('[data-testid="import-problems-3"] li[data-code="unknown_kind"]'), /種別：種別として読めません.*「FAX」/);
  await app.screenshot('import-touches-preview-ja');
  await app.click('[data-testid="import-start"]');
  await app.find('[data-testid="import-result"]', 60000);
  assert.match(await app.text('[data-testid="import-summary"]'), /追加 1・更新 0・スキップ 1・失敗 0/);
  await app.find('[data-testid="import-batch"][data-status="done"]');
  const batch = await app.text('[data-testid="import-batch"][data-status="done"]');
  assert.ok(batch.includes('対応履歴.csv') && batch.includes('過去の対応履歴'), batch);

  // On the customer's timeline, as a meeting on its day.
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', customer);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  const entry = await app.waitFor(async () => {
    const all = await app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"][data-kind="meeting"]')].map((e) => e.textContent)`);
    return all.find((x) => x.includes('取込テスト：工場見学'));
  }, 10000, 'the imported touch on the timeline');
  assert.match(entry, /2024/);
  await app.exec(`[...document.querySelectorAll('[data-testid="timeline-entry"][data-kind="meeting"]')].find((e) => e.textContent.includes('取込テスト'))?.scrollIntoView({ block: 'center' })`);
  await app.screenshot('import-touches-timeline-ja');
});
