// The dashboard (issue 18, docs/reports.md) in the real window: in Japanese
// and English, a click on a bar of the pipeline chart lists its deals and
// opens one's customer, a deal moved in a colleague's window changes the
// chart without a reload, and one chart's data saved as CSV reads back as
// the table view shows it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';

const apps = [];
after(async () => {
  for (const a of apps) {
    await a.screenshot(`last-dashboard-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
});

const CARD = '[data-testid="chart-pipeline_count"]';

/** The pipeline-by-stage chart as its table view shows it: [stage, now, a week ago] rows. */
async function pipelineTable(app) {
  return app.exec(
    `const card = document.querySelector(arguments[0]);
     if (!card.querySelector('[data-testid="chart-table"]')) card.querySelector('[data-testid="chart-table-toggle"]').click();
     const t = card.querySelector('[data-testid="chart-table"]');
     return t ? [...t.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent.trim())) : null;`,
    [CARD],
  );
}

async function showChart(app) {
  await app.exec(
    `const card = document.querySelector(arguments[0]);
     if (card.querySelector('[data-testid="chart-table"]')) card.querySelector('[data-testid="chart-table-toggle"]').click();`,
    [CARD],
  );
  // The plot was hidden at a fixed width under the table: bars are where
  // ECharts says only once it has taken the card's width again.
  await app.waitFor(
    async () => app.exec(
      `const el = document.querySelector(arguments[0] + ' [data-testid="chart-plot"]');
       return el.clientWidth > 0 && el.kizunaChart.getWidth() === el.clientWidth;`,
      [CARD],
    ),
    10000,
    'the chart at the width of its card',
  );
}

async function openDashboard(app) {
  await app.click('[data-testid="nav-dashboard"]');
  await app.find(`${CARD} [data-testid="chart-plot"]`, 30000);
  await app.waitFor(async () => Number(await app.exec(`return document.querySelector(arguments[0]).dataset.painted`, [CARD])) > 0, 15000, 'the chart painted');
}

test('the dashboard: drill-down, a colleague’s move without a reload, a chart’s CSV; Japanese and English', async () => {
  const team = join(freshHome('kizuna-dash-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const a = await App.launch({ home: teamDesktop(team, 'ja'), env: { USER: 'sato' } });
  apps.push(a);
  const b = await App.launch({ home: teamDesktop(team, 'en'), env: { USER: 'suzuki' } });
  apps.push(b);
  await answerWhoAreYou(a, 'sato');
  await answerWhoAreYou(b, 'Suzuki');

  await openDashboard(a);
  await a.find('[data-testid="chart-forecast-JPY"]');
  // Support and leads have their section, drawn the same way.
  for (const id of ['support_received', 'support_service_levels', 'leads_by_source', 'lead_response']) {
    await a.find(`[data-testid="chart-${id}"] [data-testid="chart-plot"]`);
  }
  await a.screenshot('dashboard-ja');
  const before = await pipelineTable(a);
  assert.ok(before && before.length >= 3, `stages in the table: ${JSON.stringify(before)}`);
  // The busiest stage now: its bar is what we click.
  const counts = before.map((r) => Number(r[1].replace(/[^\d]/g, '')));
  const busiest = counts.indexOf(Math.max(...counts));
  assert.ok(counts[busiest] > 0, 'the demo has open deals');
  await showChart(a);

  // A click on the middle of that stage's "now" bar, where ECharts laid it
  // out (the category's centre is the gap between its two bars).
  const [x, y] = await a.exec(
    `const el = document.querySelector(arguments[0] + ' [data-testid="chart-plot"]');
     const bar = el.kizunaChart.getModel().getSeriesByIndex(0).getData().getItemLayout(arguments[1]);
     const r = el.getBoundingClientRect();
     return [Math.round(r.left + bar.x + bar.width / 2), Math.round(r.top + bar.y + bar.height / 2)];`,
    [CARD, busiest],
  );
  await a.clickAt(x, y);
  await a.find('[data-testid="drill-dialog"]');
  const rows = await a.waitFor(async () => {
    const n = (await a.findAll('[data-testid="drill-row"]')).length;
    return n > 0 && n;
  }, 10000, 'the deals of the bar');
  assert.equal(rows, counts[busiest], 'the drill-down lists as many deals as the bar counts');
  await a.screenshot('dashboard-drill-ja');
  await a.click('[data-testid="drill-row"]');
  await a.find('[data-testid="customer-page"]');

  // Suzuki (in English) opens the dashboard too, then moves a deal of the
  // busiest stage to the next one; Sato's chart follows without a reload.
  await openDashboard(b);
  await b.screenshot('dashboard-en');
  const enTitle = await b.text(`${CARD} h2`);
  assert.match(enTitle, /Deals by stage/);

  await openDashboard(a);
  const stages = await a.invoke('pipelines');
  const open = stages[0].stages.filter((s) => s.kind === 'open' && !s.deleted_at);
  const from = open[busiest];
  const to = open.find((s, i) => i !== busiest && !s.is_closing);
  const board = await b.invoke('board', { pipelineId: null, filter: null, loaded: null });
  const card = board.columns.find((c) => c.stage.id === from.id).cards[0];
  await b.invoke('move_deal', {
    request: { deal_id: card.id, version: card.version, to_stage_id: to.id, index: null, decision_deadline: null, lost: null },
  });
  const toIndex = open.indexOf(to);
  const after = await a.waitFor(async () => {
    const t = await pipelineTable(a);
    const n = t?.map((r) => Number(r[1].replace(/[^\d]/g, '')));
    return n && n[busiest] === counts[busiest] - 1 && n[toIndex] === counts[toIndex] + 1 && t;
  }, 15000, 'the pipeline chart to follow the colleague’s move');
  await a.screenshot('dashboard-after-move-ja');

  // The chart's data as CSV, read back: the table view's rows, in full numbers.
  const path = join(freshHome('kizuna-dash-csv-'), 'pipeline.csv');
  await a.exec(
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
  await a.click(`${CARD} [data-testid="chart-csv"]`);
  await a.waitFor(() => existsSync(path), 10000, 'the CSV file');
  const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  assert.deepEqual(lines[0], ['ステージ', '現在', '1週間前']);
  assert.deepEqual(
    lines.slice(1).map((l) => [l[0], Number(l[1])]),
    after.map((r) => [r[0], Number(r[1].replace(/[^\d]/g, ''))]),
  );
});
