import type { Meeting } from './generated/Meeting';
import type { MeetingMember } from './generated/MeetingMember';

/**
 * The weekly meeting view's rules that need no window: moving between
 * weeks (a week is named by its Monday, YYYY-MM-DD on the user's calendar)
 * and stepping through members in presentation mode.
 */

/** The Monday `weeks` weeks from `monday` (negative: earlier). */
export function shiftWeek(monday: string, weeks: number): string {
  const [y, m, d] = monday.split('-').map(Number);
  // Calendar arithmetic at UTC noon, so no time zone can move the day.
  const at = new Date(Date.UTC(y!, m! - 1, d! + weeks * 7, 12));
  return at.toISOString().slice(0, 10);
}

/** The member shown after a key press in presentation mode, kept in range. */
export function step(index: number, count: number, key: string): number {
  if (count === 0) return 0;
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
    case 'PageDown':
    case ' ':
      return Math.min(index + 1, count - 1);
    case 'ArrowLeft':
    case 'ArrowUp':
    case 'PageUp':
      return Math.max(index - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return index;
  }
}

/** Items a member brings to the meeting, every section counted. */
export function itemCount(m: MeetingMember): number {
  return m.moved.length + m.cold.length + m.deadlines.length + m.lost.length + m.overdue.length;
}

/** Where a refresh leaves presentation mode: on the same member if still listed. */
export function keepPosition(before: MeetingMember | undefined, after: Meeting, fallback: number): number {
  if (before) {
    const at = after.members.findIndex((m) => m.member_id === before.member_id);
    if (at >= 0) return at;
  }
  return Math.max(0, Math.min(fallback, after.members.length - 1));
}

/** The Monday of the week holding `day` (YYYY-MM-DD): weeks start on Monday. */
export function mondayOf(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const sinceMonday = (new Date(Date.UTC(y!, m! - 1, d!, 12)).getUTCDay() + 6) % 7;
  return new Date(Date.UTC(y!, m! - 1, d! - sinceMonday, 12)).toISOString().slice(0, 10);
}
