import type { IdentityChoice } from './generated/IdentityChoice';
import type { Member } from './generated/Member';
import type { WhoAreYou } from './generated/WhoAreYou';

// "Who are you?": which member this computer profile is in the open team
// file. The OS login only suggests one; the person confirms or adds themself.

/** The "add me" choice, beside the members' ids. */
export const NEW_MEMBER = 'new';

/** What is selected when the question opens: the suggestion, "add me" for an empty team, else nothing. */
export function initialSelection(who: WhoAreYou, writable = true): string {
  if (who.suggested_id && who.members.some((m) => m.id === who.suggested_id)) return who.suggested_id;
  return who.members.length === 0 && writable ? NEW_MEMBER : '';
}

/**
 * Whether the answer asks for the person's name: always when adding
 * themself, and for a member no computer has used yet — one made from a
 * login (the sample's own member, a `kizuna --as` stray) still carries the
 * login as its name, and the first person to be it gives the real one. A
 * member in use is never renamed from here: it may be a colleague. A file
 * open read-only takes no name at all (nor new members): one is only picked.
 */
export function asksName(selection: string, members: readonly Member[], writable = true): boolean {
  if (!writable) return false;
  if (selection === NEW_MEMBER) return true;
  const m = members.find((x) => x.id === selection);
  return m !== undefined && m.last_seen_at === null;
}

/** The name field's first value for a selection. */
export function nameFor(selection: string, members: readonly Member[]): string {
  if (selection === NEW_MEMBER) return '';
  return members.find((x) => x.id === selection)?.display_name ?? '';
}

export type IdentityAnswer = { choice: IdentityChoice } | { problem: 'pick_one' | 'name_required' };

/** The answer to send, or why it cannot be sent yet. */
export function identityAnswer(selection: string, members: readonly Member[], name: string, writable = true): IdentityAnswer {
  const typed = name.trim();
  if (selection === NEW_MEMBER && writable) {
    return typed === '' ? { problem: 'name_required' } : { choice: { kind: 'new', display_name: typed } };
  }
  const m = members.find((x) => x.id === selection);
  if (!m) return { problem: 'pick_one' };
  if (!asksName(selection, members, writable)) return { choice: { kind: 'member', id: m.id, version: m.version, display_name: null } };
  if (typed === '') return { problem: 'name_required' };
  return { choice: { kind: 'member', id: m.id, version: m.version, display_name: typed === m.display_name ? null : typed } };
}
