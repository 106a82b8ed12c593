// End-to-end: the weekly sales meeting (営業会議) in the real window. Two
// colleagues on one team file, one in Japanese and one in English; a deal
// the second moves appears in the first one's open meeting without a
// reload; presentation mode steps member by member and Esc leaves it; the
// print button prints, and the print stylesheet, applied, leaves one member
// per page with no menu or header.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';

const apps = [];
after(async () => {
  for (const a of apps) {
    await a.screenshot(`last-meeting-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
});

const ESCAPE = '\uE00C';
const RIGHT = '\uE014';

const position = (app) => app.text('[data-testid="meeting-present-position"]');

test('the weekly meeting: both languages, a colleague’s move live, presentation and print', async () => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo', '--lang', 'ja']);
  const a = await App.launch({ home: teamDesktop(team, 'ja'), env: { USER: 'sato' } });
  apps.push(a);
  const b = await App.launch({ home: teamDesktop(team, 'en'), env: { USER: 'suzuki' } });
  apps.push(b);
  await answerWhoAreYou(a, 'sato');
  await answerWhoAreYou(b, 'Suzuki');

  // Japanese: every active member has a page, sections named in Japanese.
  await a.click('[data-testid="nav-meeting"]');
  await a.find('[data-testid="meeting-member"]');
  const members = await a.exec(`return [...document.querySelectorAll('[data-testid="meeting-view"] [data-testid="meeting-member-name"]')].map((e) => e.textContent.trim())`);
  const users = await a.invoke('users');
  for (const u of users) assert.ok(members.includes(u.display_name), `${u.display_name} has a page: ${members}`);
  assert.match(await a.text('[data-testid="meeting-view"]'), /停滞している案件/);
  assert.match(await a.text('[data-testid="meeting-view"]'), /7日以内の決裁期限/);
  await a.screenshot('meeting-ja');

  // English on the colleague's desktop.
  await b.click('[data-testid="nav-meeting"]');
  await b.find('[data-testid="meeting-member"]');
  assert.match(await b.text('[data-testid="meeting-view"]'), /Deals that moved this week/);
  assert.match(await b.text('[data-testid="meeting-view"]'), /Overdue follow-ups/);
  await b.screenshot('meeting-en');

  // The colleague moves an open deal one stage on (not into closing, which
  // asks for a date); Sato's open meeting shows it under "moved" by itself.
  const pipelines = await b.invoke('pipelines');
  const board = await b.invoke('board', { pipelineId: pipelines[0].pipeline.id, filter: null, loaded: null });
  const stages = pipelines[0].stages;
  const open = stages.filter((s) => s.kind === 'open' && !s.is_closing);
  const from = board.columns.find((c) => c.stage.id === open[0].id && c.cards.length);
  assert.ok(from, 'a deal in the first stage');
  const card = from.cards[0];
  await b.invoke('move_deal', { request: { deal_id: card.id, version: card.version, to_stage_id: open[1].id, index: null, decision_deadline: null, lost: null } });
  const moved = `[data-testid="meeting-view"] [data-testid="meeting-moved"] [data-deal="${card.id}"]`;
  await a.find(moved, 15000);
  await a.screenshot('meeting-ja-after-colleague-move');

  // Presentation: one member at a time, "1 / N", the button and the arrow key step on.
  await a.click('[data-testid="meeting-present"]');
  await a.find('[data-testid="meeting-presentation"]');
  const count = members.length;
  assert.equal(await position(a), `1 / ${count}`);
  const cover = await a.exec(`const r = document.querySelector('[data-testid="meeting-presentation"]').getBoundingClientRect();
    return [r.left, r.top, Math.round(r.width) === window.innerWidth, Math.round(r.height) === window.innerHeight]`);
  assert.deepEqual(cover, [0, 0, true, true], 'the presentation covers the whole window');
  const firstName = await a.text('[data-testid="meeting-presentation"] [data-testid="meeting-member-name"]');
  await a.screenshot('meeting-present-1');
  await a.click('[data-testid="meeting-present-next"]');
  await a.waitFor(async () => (await position(a)) === `2 / ${count}`, 5000, 'the second member');
  assert.notEqual(await a.text('[data-testid="meeting-presentation"] [data-testid="meeting-member-name"]'), firstName);
  if (count > 2) {
    await a.keys([RIGHT]);
    await a.waitFor(async () => (await position(a)) === `3 / ${count}`, 5000, 'the arrow key to step on');
  }
  await a.screenshot('meeting-present-2');
  await a.keys([ESCAPE]);
  await a.waitFor(async () => !(await a.findAll('[data-testid="meeting-presentation"]')).length, 5000, 'Esc to leave');

  // Print: the button opens the system's print dialog (window.print), which
  // WebDriver cannot drive; it is replaced by a recorder for the click.
  await a.exec(`window.__printed = 0; window.print = () => { window.__printed += 1; };`);
  await a.click('[data-testid="meeting-print"]');
  assert.equal(await a.exec('return window.__printed'), 1);

  // The print stylesheet: WebKitWebDriver cannot emulate print media, so the
  // rules under @media print are applied to the screen here, and the layout
  // they give is checked and photographed.
  const layout = await a.exec(`
    const rules = [];
    for (const sheet of document.styleSheets) {
      for (const r of sheet.cssRules) {
        if (r instanceof CSSMediaRule && r.media.mediaText.includes('print')) {
          for (const inner of r.cssRules) rules.push(inner.cssText);
        }
      }
    }
    const style = document.createElement('style');
    style.id = 'as-printed';
    style.textContent = rules.join('\\n');
    document.head.append(style);
    const shown = (css) => { const e = document.querySelector(css); return e ? getComputedStyle(e).display !== 'none' : null; };
    const pages = [...document.querySelectorAll('[data-testid="meeting-view"] [data-testid="meeting-member"]')];
    return {
      rules: rules.length,
      sidebar: shown('.sidebar'),
      header: shown('.app-header'),
      status: shown('.status-bar'),
      tools: shown('.view-header'),
      breaks: pages.map((p) => getComputedStyle(p).breakAfter ?? getComputedStyle(p).pageBreakAfter),
      weekLine: shown('[data-testid="meeting-member"] .week-line'),
      // A window's body does not scroll; paper must get every page.
      overflow: getComputedStyle(document.body).overflowY,
    };`);
  assert.ok(layout.rules > 0, 'print rules exist');
  assert.deepEqual(
    { sidebar: layout.sidebar, header: layout.header, status: layout.status, tools: layout.tools, weekLine: layout.weekLine },
    { sidebar: false, header: false, status: false, tools: false, weekLine: true },
  );
  assert.equal(layout.overflow, 'visible');
  assert.equal(layout.breaks.length, count);
  assert.ok(layout.breaks.every((b) => b === 'page' || b === 'always'), `one member per page: ${layout.breaks}`);
  await a.screenshot('meeting-print-layout');
  await a.exec(`document.getElementById('as-printed').remove()`);

  // A previous week: what happened then, and the note on what is judged now.
  await a.click('[data-testid="meeting-prev-week"]');
  await a.find('[data-testid="meeting-past-note"]');
  assert.equal((await a.findAll('[data-testid="meeting-view"] [data-testid="meeting-cold"]')).length, 0);
  await a.click('[data-testid="meeting-this-week"]');
  await a.find(moved);
});
