// `make bench`: idle memory of Kizuna beside an empty Tauri window built with
// the same Tauri and plugins (tests/bench/empty-window, built by
// build-empty-window.sh). Each app is started on its own (no WebDriver: the
// automation session would be measured too) under the display of
// tests/with-display.sh; Kizuna opens a database with the sample data and
// shows the board. Once the processes' memory has stopped moving, the
// script reads /proc/PID/smaps_rollup of the app, WebKitWebProcess and
// WebKitNetworkProcess and prints RSS and PSS (PSS shares the libraries the
// processes have in common; RSS counts them in each), the median of
// KIZUNA_MEMORY_RUNS starts (3) of each.
//
// KIZUNA_MEMORY_DETAIL=1 also prints where each web process's memory is
// (fonts, libraries, JavaScript and malloc heaps, graphics buffers), the
// breakdown that finds what Kizuna's page costs beyond the empty one, and
// keeps each process's /proc/PID/smaps under target/bench/ for a diff.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, App, CLI, ROOT, answerWhoAreYou, envFor, freshHome, sleep } from '../e2e/wd.mjs';

const EMPTY = process.env.KIZUNA_EMPTY_APP ?? join(ROOT, 'target', 'debug', 'kizuna-empty-window');
const OUT = join(ROOT, 'target', 'bench');
const DETAIL = Boolean(process.env.KIZUNA_MEMORY_DETAIL);
for (const bin of [APP, CLI, EMPTY]) if (!existsSync(bin)) throw new Error(`${bin} is missing (make app; tests/bench/build-empty-window.sh)`);
mkdirSync(OUT, { recursive: true });

/** Every process started with `marker` in its environment (WebKit's helpers inherit it). */
function processesWith(marker) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').includes(`${marker}\0`)) continue;
      const comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
      found.push({ pid: Number(name), comm });
    } catch {
      /* gone, or not ours */
    }
  }
  return found;
}

/** kB figures of /proc/PID/smaps_rollup. */
function rollup(pid) {
  const out = {};
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** PSS per kind of mapping, from /proc/PID/smaps. */
function breakdown(pid) {
  const kinds = new Map();
  let kind = 'other';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1];
      kind =
        /\.(ttc|ttf|otf)$/.test(path) ? `font ${path.split('/').pop()}`
        : /\.so(\.|$)/.test(path) ? 'libraries'
        : path === '[heap]' ? 'malloc heap'
        : path === '' ? 'anonymous (JS heap, malloc arenas, caches)'
        : /^\/(dev\/dri|memfd:)|^\/memfd/.test(path) ? `graphics/shared ${path}`
        : /^\[(stack|vvar|vdso|vsyscall)/.test(path) ? 'stacks and kernel'
        : `file ${path}`;
      continue;
    }
    const m = /^Pss:\s+(\d+) kB/.exec(line);
    if (m) kinds.set(kind, (kinds.get(kind) ?? 0) + Number(m[1]));
  }
  return [...kinds.entries()].filter(([, kb]) => kb >= 512).sort((a, b) => b[1] - a[1]);
}

const ROLE = (comm) => (comm.startsWith('WebKitWebProces') ? 'web' : comm.startsWith('WebKitNetworkP') ? 'network' : null);

/** Starts `bin`, waits until its processes' memory stays put, reads it, ends them. */
async function measure(label, bin, home, env = {}) {
  const marker = `KIZUNA_BENCH_MARK=${label}-${process.pid}`;
  const [key, value] = marker.split('=');
  const child = spawn(bin, [], { env: { ...envFor(home, env), [key]: value }, stdio: 'ignore' });
  try {
    const total = () =>
      processesWith(marker).reduce((kb, p) => {
        try {
          return kb + rollup(p.pid).Rss;
        } catch {
          return kb;
        }
      }, 0);
    // Idle: the total moved less than 1 MB over the last five seconds (at most two minutes).
    const samples = [];
    for (let s = 0; s < 120; s++) {
      await sleep(1000);
      const procs = processesWith(marker);
      if (!procs.some((p) => ROLE(p.comm) === 'web')) continue;
      samples.push(total());
      const last = samples.slice(-6);
      if (s >= 10 && last.length === 6 && Math.max(...last) - Math.min(...last) < 1024) break;
    }
    const shot = join(OUT, `memory-${label}.png`);
    try {
      execFileSync('import', ['-window', 'root', shot], { stdio: 'ignore' });
    } catch {
      /* ImageMagick missing: the figures stand without the picture */
    }
    const rows = { app: { rss: 0, pss: 0 }, web: { rss: 0, pss: 0 }, network: { rss: 0, pss: 0 } };
    const details = [];
    for (const p of processesWith(marker)) {
      const role = p.pid === child.pid ? 'app' : ROLE(p.comm);
      if (!role) continue;
      const r = rollup(p.pid);
      rows[role].rss += r.Rss;
      rows[role].pss += r.Pss;
      if (DETAIL && role === 'web') details.push(breakdown(p.pid));
      if (DETAIL) writeFileSync(join(OUT, `memory-${label}-${role}-${p.pid}.smaps`), readFileSync(`/proc/${p.pid}/smaps`));
    }
    return { label, rows, details, shot };
  } finally {
    for (const p of processesWith(marker)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await sleep(500);
  }
}

// Kizuna with the sample data, opening on the board; each app three times,
// in turn, and the median of each figure (one start varies by ±10 MB).
const RUNS = Number(process.env.KIZUNA_MEMORY_RUNS ?? 3);
const home = freshHome('kizuna-memory-');
const db = join(home, 'sample.db');
execFileSync(CLI, ['--db', db, 'demo'], { stdio: 'ignore' });
// "Who are you?" is asked once per profile: a first start answers it through
// WebDriver, and every measured start reuses that profile's config.json.
writeFileSync(join(home, 'config.json'), JSON.stringify({ database: db, first_run_done: true, language: 'ja' }));
const setup = await App.launch({ home });
try {
  await answerWhoAreYou(setup, 'ベンチ');
  await setup.find('[data-testid="deal-card"]', 60000);
} finally {
  await setup.quit();
}
const config = readFileSync(join(home, 'config.json'));
const runs = { kizuna: [], empty: [] };
for (let i = 0; i < RUNS; i++) {
  const kizunaHome = freshHome('kizuna-memory-');
  writeFileSync(join(kizunaHome, 'config.json'), config);
  runs.kizuna.push(await measure('kizuna', APP, kizunaHome));
  runs.empty.push(await measure('empty', EMPTY, freshHome('kizuna-memory-empty-')));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = (label) => {
  const rows = {};
  for (const role of ['app', 'web', 'network']) {
    rows[role] = {};
    for (const k of ['rss', 'pss']) rows[role][k] = median(runs[label].map((m) => m.rows[role][k]));
  }
  for (const k of ['rss', 'pss']) rows.total = { ...rows.total, [k]: median(runs[label].map((m) => m.rows.app[k] + m.rows.web[k] + m.rows.network[k])) };
  return { label, rows, details: runs[label][0].details, shot: runs[label][0].shot };
};
const kizuna = summary('kizuna');
const empty = summary('empty');

const mb = (kb) => (kb / 1024).toFixed(0).padStart(6);
console.log(`idle memory, MB (median of ${RUNS})  RSS: app    web    net  total | PSS: app    web    net  total`);
for (const m of [empty, kizuna]) {
  const r = m.rows;
  console.log(
    `${(m.label === 'empty' ? 'empty Tauri window' : 'Kizuna, sample data, board').padEnd(32)}${mb(r.app.rss)} ${mb(r.web.rss)} ${mb(r.network.rss)} ${mb(r.total.rss)} |   ${mb(r.app.pss)} ${mb(r.web.pss)} ${mb(r.network.pss)} ${mb(r.total.pss)}`,
  );
}
console.log(
  `Kizuna above the empty window: RSS ${((kizuna.rows.total.rss - empty.rows.total.rss) / 1024).toFixed(0)} MB, PSS ${((kizuna.rows.total.pss - empty.rows.total.pss) / 1024).toFixed(0)} MB (screens: ${kizuna.shot}, ${empty.shot})`,
);
if (DETAIL) {
  for (const m of [empty, kizuna]) {
    for (const d of m.details) {
      console.log(`\n${m.label} web process, PSS by mapping:`);
      for (const [kind, kb] of d) console.log(`  ${mb(kb)} MB  ${kind}`);
    }
  }
}
