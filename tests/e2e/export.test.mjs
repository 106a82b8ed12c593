// End-to-end: the team's data out (the Export dialog writes an .xlsx that
// this test reads back), and the edits issue 17 adds: a contact removed and
// put back with Undo, a contract removed with its renewal work, a customer
// archived off the board and back, and the owner of several customers
// changed at once.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, freshHome, startOnSample } from './wd.mjs';

let app;
afterEach(async () => {
  if (!app) return;
  await app.screenshot('last-export').catch(() => {});
  await app.quit();
  app = undefined;
});

const timelineText = () => app.exec(`return [...document.querySelectorAll('[data-testid="timeline-entry"]')].map((e) => e.textContent).join(' | ')`);

const ALL = { text: null, segment: null, owner_id: null, sort: 'name_kana', include_archived: false };

/**
 * The native save dialog cannot be driven over WebDriver: the window's IPC
 * answers `plugin:dialog|save` with `path` (as the user's choice would) and
 * passes every other call through. Tauri's `invoke` itself is a read-only
 * property, so the wrap sits one step below it, on the IPC's transport (the
 * `ipc://` request each call is).
 */
async function saveDialogAnswers(path) {
  await app.exec(
    `window.__savePath = arguments[0];
     if (!window.__realFetch) {
       window.__realFetch = window.fetch;
       window.fetch = (input, init) => {
         const url = decodeURIComponent(String(input instanceof Request ? input.url : input));
         if (url.startsWith('ipc:') && url.endsWith('/plugin:dialog|save')) {
           return Promise.resolve(new Response(JSON.stringify(window.__savePath), {
             headers: { 'Content-Type': 'application/json', 'Tauri-Response': 'ok' },
           }));
         }
         return window.__realFetch(input, init);
       };
     }`,
    [path],
  );
}

/** The first sheet's cells, row by row, read from the file with Python's zipfile (inline or shared strings). */
function readXlsx(path) {
  const script = `
import json, re, sys, zipfile
from xml.etree import ElementTree as ET
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
z = zipfile.ZipFile(sys.argv[1])
shared = []
if 'xl/sharedStrings.xml' in z.namelist():
    shared = [''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])) for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns)]
rows = []
for row in ET.fromstring(z.read('xl/worksheets/sheet1.xml')).iter('{%s}row' % ns['m']):
    cells = {}
    for c in row.findall('m:c', ns):
        col = re.match('[A-Z]+', c.get('r')).group(0)
        t = c.get('t')
        if t == 'inlineStr':
            v = ''.join(x.text or '' for x in c.iter('{%s}t' % ns['m']))
        elif t == 's':
            v = shared[int(c.find('m:v', ns).text)]
        else:
            v = c.find('m:v', ns)
            v = float(v.text) if v is not None else None
        cells[col] = v
    rows.append(cells)
print(json.dumps(rows, ensure_ascii=False))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' }));
}

test('customers export to xlsx from the window and read back; contact, contract, archive and owner edits', async () => {
  app = await App.launch({ home: freshHome() });
  await startOnSample(app, '山田 花子');
  await app.find('[data-testid="deal-card"]');
  const companies = await app.invoke('companies', { query: ALL });
  assert.ok(companies.length >= 10, 'the sample has customers');

  // Export: the Customers header's button, the dialog, the "saved" file read back.
  const dir = freshHome('kizuna-export-');
  const xlsx = join(dir, '顧客.xlsx');
  await saveDialogAnswers(xlsx);
  await app.click('[data-testid="nav-customers"]');
  await app.find('[data-testid="customer-row"]');
  await app.click('[data-testid="customers-export"]');
  await app.find('[data-testid="export-dialog"]');
  await app.click('[data-testid="export-kind-customers"]');
  await app.click('[data-testid="export-format-xlsx"]');
  await app.screenshot('export-dialog-ja');
  await app.click('[data-testid="export-start"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="export-dialog"]')).length, 20000, 'the export to finish');
  const notice = await app.waitFor(
    async () => (await app.exec(`return [...document.querySelectorAll('[data-testid="toast"]')].map((t) => t.textContent).find((t) => t.includes('書き出しました')) ?? null`)),
    10000,
    'the notice with rows and path',
  );
  assert.ok(notice.includes(`${companies.length}行`) && notice.includes(xlsx), notice);
  assert.ok(existsSync(xlsx));
  const rows = readXlsx(xlsx);
  assert.equal(rows.length, companies.length + 1, 'a header and one row per customer');
  assert.equal(rows[0].A, '会社名');
  assert.equal(rows[0].L, 'アーカイブ');
  const names = rows.slice(1).map((r) => r.A).sort();
  assert.deepEqual(names, companies.map((c) => c.name).sort());
  const first = companies[0];
  const row = rows.find((r) => r.A === first.name);
  assert.equal(row.B, first.name_kana);
  assert.equal(row.E ?? null, first.owner_name, 'the owner by name');
  assert.equal(typeof row.K, 'number', 'the registration date is a real Excel date');

  // A customer with open deals: its contract removed with its renewal work (Undo puts them back).
  const withDeals = companies.find((c) => c.open_deals > 0);
  const { id: contract } = (await app.invoke('create_contract', {
    contract: {
      company_id: withDeals.id, deal_id: null, plan: 'E2E 年間保守', start_date: '2026-01-01', end_date: '2027-06-30', auto_renew: false,
      amount: 480000, currency: 'JPY', billing: 'annual', notice_days: 30, owner_id: null, hearing_days: null, proposal_days: null,
    },
  }));
  const contact = await app.invoke('create_contact', {
    contact: { company_id: withDeals.id, name: '削除 予定子', name_kana: '', title: '', email: '', phone: '' },
  });
  await app.click('[data-testid="open-search"]');
  await app.type('[data-testid="search-input"]', withDeals.name);
  await app.click('[data-testid="search-hit"][data-kind="companies"]');
  await app.find('[data-testid="customer-page"]');
  await app.find(`[data-testid="company-contract"][data-contract-id="${contract}"]`);
  await app.click(`[data-contract-id="${contract}"] [data-testid="contract-remove"]`);
  await app.screenshot('contract-remove-confirm-ja');
  await app.click(`[data-contract-id="${contract}"] [data-testid="contract-remove-confirm"]`);
  await app.waitFor(async () => (await app.findAll(`[data-contract-id="${contract}"]`)).length === 0, 10000, 'the contract gone');
  const renewalWork = async () =>
    (await app.invoke('renewal_board', { horizonDays: 900 })).filter((c) => c.id === contract).length;
  assert.equal(await renewalWork(), 0, 'off the renewal board');
  await app.waitFor(async () => (await timelineText()).includes('契約「E2E 年間保守」を削除しました'), 10000, 'the removal on the timeline');
  await app.click('[data-testid="toast-undo"]');
  await app.find(`[data-testid="company-contract"][data-contract-id="${contract}"]`);
  assert.equal(await renewalWork(), 1, 'back on the renewal board');

  // Remove a contact; the timeline says so; Undo brings it back.
  await app.find(`[data-testid="company-contact"][data-contact-id="${contact}"]`);
  await app.click(`[data-contact-id="${contact}"] [data-testid="contact-remove"]`);
  await app.click(`[data-contact-id="${contact}"] [data-testid="contact-remove-confirm"]`);
  await app.waitFor(async () => (await app.findAll(`[data-contact-id="${contact}"]`)).length === 0, 10000, 'the contact gone');
  await app.waitFor(async () => (await timelineText()).includes('担当者「削除 予定子」を削除しました'), 10000, 'the removal on the timeline');
  await app.screenshot('contact-removed-undo-ja');
  await app.click('[data-testid="toast-undo"]');
  await app.find(`[data-testid="company-contact"][data-contact-id="${contact}"]`);

  // Archive it: off the board and the list, found by search with its marker; unarchive brings it back.
  const board = async () => app.exec(`return [...document.querySelectorAll('[data-testid="deal-card"] .company')].map((e) => e.textContent.trim())`);
  await app.click('[data-testid="customer-archive"]');
  await app.find('[data-testid="customer-archived-note"]');
  await app.screenshot('customer-archived-ja');
  await app.click('[data-testid="nav-board"]');
  await app.find('[data-testid="deal-card"]');
  await app.waitFor(async () => !(await board()).includes(withDeals.name), 10000, 'its deals off the board');
  await app.click('[data-testid="nav-customers"]');
  await app.find('[data-testid="customer-row"]');
  await app.waitFor(async () => !(await app.findAll(`[data-testid="customer-row"][data-company-id="${withDeals.id}"]`)).length, 10000, 'off the list');
  await app.click('[data-testid="customers-show-archived"]');
  await app.find(`[data-testid="customer-row"][data-company-id="${withDeals.id}"] [data-testid="customer-archived"]`);
  await app.click(`[data-testid="customer-row"][data-company-id="${withDeals.id}"] [data-testid="customer-open"]`);
  await app.click('[data-testid="customer-unarchive"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="customer-archived-note"]')).length, 10000, 'unarchived');
  await app.click('[data-testid="nav-board"]');
  await app.waitFor(async () => (await board()).includes(withDeals.name), 10000, 'its deals back on the board');

  // The owner of two customers at once; a colleague's change to one of them since the list was loaded is reported.
  const users = await app.invoke('users');
  await app.click('[data-testid="nav-customers"]');
  await app.find('[data-testid="customer-row"]');
  const [a, b] = (await app.invoke('companies', { query: ALL })).slice(0, 2);
  const successor = users.find((u) => u.id !== a.owner_id && u.id !== b.owner_id) ?? users[0];
  await app.click(`[data-testid="customer-row"][data-company-id="${a.id}"] [data-testid="customer-tick"]`);
  await app.click(`[data-testid="customer-row"][data-company-id="${b.id}"] [data-testid="customer-tick"]`);
  await app.find('[data-testid="customers-selection"]');
  // Meanwhile a colleague edits b (the list still shows the old version).
  const bFull = await app.invoke('company', { id: b.id });
  await app.invoke('update_company', {
    id: b.id,
    version: bFull.version,
    edit: {
      name: bFull.name, name_kana: bFull.name_kana, industry: '同僚が変更', segment: bFull.segment, owner_id: bFull.owner_id,
      address: bFull.address, phone: bFull.phone, website: bFull.website, tags: bFull.tags,
    },
  });
  await app.click('[data-testid="customers-change-owner"]');
  await app.find('[data-testid="owner-change-dialog"]');
  await app.exec(
    `const s = document.querySelector('[data-testid="owner-change-to"]'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));`,
    [successor.id],
  );
  await app.screenshot('owner-change-ja');
  await app.click('[data-testid="owner-change-save"]');
  const skipped = await app.text('[data-testid="owner-change-skipped"]');
  assert.ok(skipped.includes(b.name), skipped);
  assert.ok((await app.text('[data-testid="owner-change-dialog"]')).includes('2社の担当を変更します'), 'the dialog still says what was asked');
  await app.screenshot('owner-change-skipped-ja');
  const after = await app.invoke('companies', { query: ALL });
  assert.equal(after.find((c) => c.id === a.id).owner_id, successor.id, 'the first changed');
  assert.equal(after.find((c) => c.id === b.id).owner_id, b.owner_id, 'the colleague’s row left as it was');
  await app.exec(`document.querySelector('[data-testid="owner-change-dialog"] [data-testid="modal-close"]')?.click()`);

  // The dialog in English, from Settings.
  await app.click('[data-testid="nav-settings"]');
  await app.click('[data-testid="settings-language-en"]');
  await app.click('[data-testid="settings-export"]');
  await app.find('[data-testid="export-dialog"]');
  await app.click('[data-testid="export-kind-follow_ups"]');
  await app.click('[data-testid="export-format-ics"]');
  await app.waitFor(async () => (await app.text('[data-testid="export-dialog"]')).includes('all-day events'), 10000, 'English dialog');
  await app.screenshot('export-dialog-ics-en');
  const ics = join(dir, 'follow-ups.ics');
  await saveDialogAnswers(ics);
  await app.click('[data-testid="export-start"]');
  await app.waitFor(async () => !(await app.findAll('[data-testid="export-dialog"]')).length, 20000, 'the calendar written');
  assert.ok(existsSync(ics));
});
