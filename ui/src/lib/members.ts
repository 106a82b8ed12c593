import type { Member } from './generated/Member';
import type { User } from './generated/User';

// Team members in pickers and in Settings → Members.

/**
 * The members an owner or assignee picker offers: the active ones (the
 * backend lists only those), plus the record's own owner when they were
 * deactivated meanwhile — shown under their name, so opening and saving a
 * record neither hides nor silently drops who owns it.
 */
export function pickerMembers(active: readonly User[], current: { id: string | null; name: string | null } | null): User[] {
  const id = current?.id;
  if (!id || active.some((u) => u.id === id)) return [...active];
  return [...active, { id, login: '', display_name: current?.name ?? '', version: 0 }];
}

/** Whom a stray member can be merged into: any other active member. */
export function mergeTargets(members: readonly Member[], strayId: string): Member[] {
  return members.filter((m) => m.active && m.id !== strayId);
}

/** What Settings → Members offers for a row: nobody deactivates or merges themself away from here. */
export function memberActions(m: Member, myId: string): { deactivate: boolean; reactivate: boolean; merge: boolean } {
  const me = m.id === myId;
  return { deactivate: m.active && !me, reactivate: !m.active, merge: !me };
}
