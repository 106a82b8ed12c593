import { describe, expect, it } from 'vitest';
import type { Member } from './generated/Member';
import type { User } from './generated/User';
import { memberActions, mergeTargets, pickerMembers } from './members';

const user = (id: string, name: string): User => ({ id, login: id, display_name: name, version: 1 });
const member = (id: string, active = true): Member => ({
  id,
  login: id,
  display_name: id,
  active,
  last_seen_at: null,
  last_computer: null,
  roles: ['sales'],
  version: 1,
});

describe('members', () => {
  it('offers the active members, plus a deactivated owner of the record under their name', () => {
    const active = [user('a', '佐藤'), user('b', '鈴木')];
    expect(pickerMembers(active, null).map((u) => u.id)).toEqual(['a', 'b']);
    expect(pickerMembers(active, { id: 'a', name: '佐藤' }).map((u) => u.id)).toEqual(['a', 'b']);
    const withGone = pickerMembers(active, { id: 'z', name: '退職者' });
    expect(withGone.map((u) => [u.id, u.display_name])).toEqual([
      ['a', '佐藤'],
      ['b', '鈴木'],
      ['z', '退職者'],
    ]);
    expect(pickerMembers(active, { id: null, name: null })).toHaveLength(2);
  });

  it('merges a stray only into another active member', () => {
    const all = [member('stray'), member('kenta'), member('left', false)];
    expect(mergeTargets(all, 'stray').map((m) => m.id)).toEqual(['kenta']);
  });

  it('never offers to deactivate or merge away oneself', () => {
    expect(memberActions(member('me'), 'me')).toEqual({ deactivate: false, reactivate: false, merge: false });
    expect(memberActions(member('x'), 'me')).toEqual({ deactivate: true, reactivate: false, merge: true });
    expect(memberActions(member('x', false), 'me')).toEqual({ deactivate: false, reactivate: true, merge: true });
  });
});
