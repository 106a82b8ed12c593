// End-to-end: members of one team file. A stray member that `kizuna --as
// sato` left beside 佐藤 健太 is merged into him in Settings → Members, a
// rename meets a colleague's rename side by side, a deactivated member
// leaves the owner choices; and two computers acting as one member (the
// same Windows login on every PC) are warned about until one says "that's
// not me" and adds themself.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { answerWhoAreYou, App, CLI, freshHome, teamDesktop } from './wd.mjs';

const apps = [];
afterEach(async () => {
  for (const a of apps) {
    await a.screenshot(`last-members-${apps.indexOf(a)}`).catch(() => {});
    await a.quit();
  }
  apps.length = 0;
});

async function launch(team, login) {
  const app = await App.launch({ home: teamDesktop(team), env: { USER: login } });
  apps.push(app);
  return app;
}

const ownerChoices = (app) =>
  app.exec(`return [...document.querySelectorAll('[data-testid="customers-owner"] option')].map((o) => o.textContent.trim()).filter(Boolean)`);

const row = (login) => `[data-testid="member-row"][data-login="${login}"]`;

test('a stray member is merged into the real one, a rename meets a colleague’s, a deactivated member leaves the choices', async () => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  // The demo's own member is "sato", made from a login; 佐藤 健太 (sato.k) is the real one.
  execFileSync(CLI, ['--db', team, '--as', 'sato', 'demo']);
  const app = await launch(team, 'tanaka');
  // Tanaka's login names nobody: no suggestion, he adds himself.
  assert.equal((await app.findAll('[data-testid="identity-suggested"]')).length, 0);
  await answerWhoAreYou(app, '田中 太郎');
  assert.equal(await app.text('[data-testid="current-user-name"]'), '田中 太郎');

  const members = await app.invoke('members');
  const stray = members.find((m) => m.login === 'sato');
  const kenta = members.find((m) => m.display_name === '佐藤 健太');
  const owned = async (id) => (await app.invoke('companies', { query: { text: null, segment: null, owner_id: id, sort: 'name_kana' } })).length;
  const [strayOwns, kentaOwns] = [await owned(stray.id), await owned(kenta.id)];
  assert.ok(strayOwns > 0, 'the stray owns customers');

  await app.click('[data-testid="nav-customers"]');
  await app.find('[data-testid="customer-row"]');
  await app.waitFor(async () => (await ownerChoices(app)).includes('sato'), 10000, 'the owner choices');
  assert.ok((await ownerChoices(app)).includes('佐藤 健太'), 'the stray beside the real one');

  // Settings → Members: merge the stray into 佐藤 健太.
  await app.click('[data-testid="nav-settings"]');
  await app.find(row('sato'));
  await app.screenshot('settings-members-ja');
  await app.click(`${row('sato')} [data-testid="member-merge"]`);
  await app.find('[data-testid="member-merge-panel"]');
  await app.choose('[data-testid="member-merge-into"]', kenta.id);
  await app.click('[data-testid="member-merge-confirm"]');
  await app.waitFor(async () => !(await app.findAll(row('sato'))).length, 10000, 'the stray to leave the list');
  assert.equal(await owned(kenta.id), kentaOwns + strayOwns, 'everything the stray owned is 佐藤 健太’s');
  assert.equal(await owned(stray.id), 0);

  // Rename 佐藤 健太 while a colleague renames him too: both side by side.
  const kentaRow = row('sato.k');
  await app.click(`${kentaRow} [data-testid="member-rename"]`);
  await app.find(`${kentaRow} [data-testid="member-name-input"]`);
  const current = (await app.invoke('members')).find((m) => m.id === kenta.id);
  await app.invoke('rename_member', { id: kenta.id, version: current.version, name: '佐藤 健' });
  await app.type(`${kentaRow} [data-testid="member-name-input"]`, '佐藤 健太郎');
  await app.click(`${kentaRow} [data-testid="member-name-save"]`);
  await app.find('[data-testid="conflict-panel"]');
  assert.equal(await app.text('[data-testid="conflict-row"][data-field="display_name"] [data-testid="conflict-theirs"]'), '佐藤 健');
  assert.equal(await app.text('[data-testid="conflict-row"][data-field="display_name"] [data-testid="conflict-mine"]'), '佐藤 健太郎');
  await app.screenshot('settings-members-conflict-ja');
  await app.click('[data-testid="conflict-apply-mine"]');
  await app.waitFor(async () => (await app.text(`${kentaRow} [data-testid="member-name"]`)) === '佐藤 健太郎', 10000, 'the rename');

  // Deactivate 伊藤 彩: gone from the owner choices, still the owner of her customers.
  const ito = members.find((m) => m.display_name === '伊藤 彩');
  const itoOwns = await owned(ito.id);
  await app.click(`${row('ito.a')} [data-testid="member-deactivate"]`);
  await app.find(`${row('ito.a')}[data-active="false"]`);
  await app.click('[data-testid="nav-customers"]');
  await app.find('[data-testid="customer-row"]');
  await app.waitFor(async () => (await ownerChoices(app)).includes('佐藤 健太郎'), 10000, 'the owner choices again');
  const choices = await ownerChoices(app);
  assert.ok(!choices.includes('sato') && !choices.includes('伊藤 彩'), `merged and deactivated members are not offered: ${choices}`);
  assert.equal(await owned(ito.id), itoOwns, 'her customers are still hers');
  await app.screenshot('customers-after-members-ja');
});

test('one member active on two computers is warned about on both, until one says “that’s not me”', async (t) => {
  const team = join(freshHome('kizuna-share-'), 'kizuna-team.db');
  // Every PC of this office logs in as "user".
  execFileSync(CLI, ['--db', team, '--as', 'user', 'demo']);
  const a = await launch(team, 'user');
  // The member made from the login is suggested and takes the real name.
  await answerWhoAreYou(a, '営業 一郎');
  const b = await launch(team, 'user');
  // The same suggestion on the second PC; now in use, it asks no name.
  await b.find('[data-testid="identity-suggested"]');
  assert.equal((await b.findAll('[data-testid="identity-name"]')).length, 0, 'a member in use is never renamed from here');
  await answerWhoAreYou(b);
  const chosen = Date.now();
  assert.equal(await b.text('[data-testid="current-user-name"]'), '営業 一郎');

  for (const app of [b, a]) {
    await app.waitFor(async () => (await app.findAll('[data-testid="status-presence"]')).length, 10000, 'the two-computers warning');
  }
  t.diagnostic(`the first computer warned ${Date.now() - chosen} ms after the second chose the same member`);
  assert.match(await b.text('[data-testid="status-presence"]'), /営業 一郎/);
  await b.screenshot('presence-warning-ja');

  // The second person is someone else: they add themself.
  await b.click('[data-testid="status-presence-not-me"]');
  await answerWhoAreYou(b, '営業 二郎', { add: true });
  assert.equal(await b.text('[data-testid="current-user-name"]'), '営業 二郎');
  for (const app of [a, b]) {
    await app.waitFor(async () => !(await app.findAll('[data-testid="status-presence"]')).length, 10000, 'the warning to go');
  }
  const [ichiro, jiro] = [(await a.invoke('app_status')).user.id, (await b.invoke('app_status')).user.id];
  assert.notEqual(ichiro, jiro, 'two people, two members');
});
