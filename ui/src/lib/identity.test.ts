import { describe, expect, it } from 'vitest';
import type { Member } from './generated/Member';
import { asksName, identityAnswer, initialSelection, nameFor, NEW_MEMBER } from './identity';

function member(id: string, name: string, seen: string | null, extra: Partial<Member> = {}): Member {
  return {
    id,
    login: 'user',
    display_name: name,
    active: true,
    last_seen_at: seen,
    last_computer: seen ? 'EIGYO-1' : null,
    roles: ['sales'],
    version: 3,
    ...extra,
  };
}

const sato = member('m-sato', '佐藤 健太', '2026-11-25T01:00:00Z');
const placeholder = member('m-user', 'user', null);

describe('who are you', () => {
  it('starts on the suggestion, on "add me" for an empty team, else on nothing', () => {
    expect(initialSelection({ members: [sato], suggested_id: 'm-sato', os_login: 'user' })).toBe('m-sato');
    expect(initialSelection({ members: [], suggested_id: null, os_login: 'user' })).toBe(NEW_MEMBER);
    expect(initialSelection({ members: [sato], suggested_id: null, os_login: 'tanaka' })).toBe('');
    // A suggestion that is not offered (deactivated meanwhile) is no selection.
    expect(initialSelection({ members: [sato], suggested_id: 'gone', os_login: 'user' })).toBe('');
  });

  it('asks the name when adding oneself or taking a member nobody used yet, never for one in use', () => {
    expect(asksName(NEW_MEMBER, [sato])).toBe(true);
    expect(asksName('m-user', [sato, placeholder])).toBe(true);
    expect(asksName('m-sato', [sato, placeholder])).toBe(false);
    expect(nameFor('m-user', [placeholder])).toBe('user');
    expect(nameFor(NEW_MEMBER, [placeholder])).toBe('');
  });

  it('answers with the member as it was read, renaming only an unused one whose name changed', () => {
    expect(identityAnswer('m-sato', [sato], 'ignored')).toEqual({
      choice: { kind: 'member', id: 'm-sato', version: 3, display_name: null },
    });
    expect(identityAnswer('m-user', [placeholder], ' 山田 花子 ')).toEqual({
      choice: { kind: 'member', id: 'm-user', version: 3, display_name: '山田 花子' },
    });
    expect(identityAnswer('m-user', [placeholder], 'user')).toEqual({
      choice: { kind: 'member', id: 'm-user', version: 3, display_name: null },
    });
    expect(identityAnswer(NEW_MEMBER, [sato], '鈴木 美咲')).toEqual({ choice: { kind: 'new', display_name: '鈴木 美咲' } });
  });

  it('refuses an answer without a name or a choice', () => {
    expect(identityAnswer(NEW_MEMBER, [], '   ')).toEqual({ problem: 'name_required' });
    expect(identityAnswer('m-user', [placeholder], '')).toEqual({ problem: 'name_required' });
    expect(identityAnswer('', [sato], '')).toEqual({ problem: 'pick_one' });
  });

  it('only picks a member in a file open read-only: no name, no new member', () => {
    expect(initialSelection({ members: [], suggested_id: null, os_login: 'user' }, false)).toBe('');
    expect(asksName('m-user', [placeholder], false)).toBe(false);
    expect(identityAnswer('m-user', [placeholder], '山田', false)).toEqual({
      choice: { kind: 'member', id: 'm-user', version: 3, display_name: null },
    });
    expect(identityAnswer(NEW_MEMBER, [placeholder], '山田', false)).toEqual({ problem: 'pick_one' });
  });
});
