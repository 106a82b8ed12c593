// `make bench`: the dashboard in the real window on the reports bench's file
// (10,000 open deals, 50,000 closed, 1,000,000 timeline entries; made by
// `cargo bench --bench reports` with KIZUNA_BENCH_KEEP). Timed from the
// click that mounts the dashboard (which makes the IPC call) to every chart
// painted (ECharts' `finished` on each card), and the IPC call alone.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { answerWhoAreYou, App, freshHome, ROOT } from '../e2e/wd.mjs';

const db = process.env.KIZUNA_BENCH_DB ?? join(ROOT, 'target', 'bench', 'reports.db');
if (!existsSync(db)) throw new Error(`${db} is missing: run the reports bench with KIZUNA_BENCH_KEEP first`);

const home = freshHome('kizuna-bench-');
mkdirSync(home, { recursive: true });
writeFileSync(join(home, 'config.json'), JSON.stringify({ database: db, first_run_done: true, language: 'ja' }));

const RUNS = 5;
const stats = (times) => {
  const t = [...times].sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], p95: t[Math.min(t.length - 1, Math.ceil(t.length * 0.95) - 1)] };
};
const app = await App.launch({ home });
try {
  await answerWhoAreYou(app, 'ベンチ');
  const times = [];
  for (let i = 0; i < RUNS + 1; i++) {
    await app.click('[data-testid="nav-customers"]');
    await app.find('[data-testid="customer-row"]', 60000);
    const ms = await app.cmd('POST', '/execute/async', {
      script: `
        const done = arguments[0];
        const t0 = performance.now();
        document.querySelector('[data-testid="nav-dashboard"]').click();
        const poll = () => {
          const cards = [...document.querySelectorAll('[data-testid^="chart-"][data-painted]')];
          if (cards.length > 0 && cards.every((c) => Number(c.dataset.painted) > 0)) {
            requestAnimationFrame(() => requestAnimationFrame(() => done({ ms: performance.now() - t0, charts: cards.length })));
          } else if (performance.now() - t0 > 120000) done({ error: 'not painted in 120 s' });
          else requestAnimationFrame(poll);
        };
        poll();`,
      args: [],
    });
    if (ms.error) throw new Error(ms.error);
    if (i >= 1) times.push(ms.ms); // the first warms the caches
    if (i === RUNS) console.log(`dashboard paint: ${ms.charts} charts`);
  }
  const paint = stats(times);
  console.log(`dashboard paint: IPC call to every chart painted median ${paint.median.toFixed(0)} ms, p95 ${paint.p95.toFixed(0)} ms`);
  const ipc = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await app.cmd('POST', '/execute/async', {
      script: `
        const done = arguments[0];
        const t0 = performance.now();
        window.__TAURI_INTERNALS__.invoke('dashboard', { filter: { from: '2026-10-01', to: '2026-12-31', owner_ids: [], pipeline_id: null, segment: null } })
          .then((d) => done({ ms: performance.now() - t0, n: d.charts.length }), (e) => done({ error: JSON.stringify(e) }));`,
      args: [],
    });
    if (r.error) throw new Error(r.error);
    ipc.push(r.ms);
  }
  const call = stats(ipc);
  console.log(`dashboard paint: the IPC call alone (a quarter) median ${call.median.toFixed(0)} ms, p95 ${call.p95.toFixed(0)} ms`);
  await app.screenshot('bench-dashboard');
} finally {
  await app.quit();
}
