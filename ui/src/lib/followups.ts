import type { DueState } from './generated/DueState';
import type { FollowUpItem } from './generated/FollowUpItem';

export const DUE_STATES: readonly DueState[] = ['overdue', 'today', 'upcoming'];

/** Follow-ups grouped by the backend's verdict, earliest due first within each group. */
export function groupFollowUps(items: readonly FollowUpItem[]): Record<DueState, FollowUpItem[]> {
  const groups: Record<DueState, FollowUpItem[]> = { overdue: [], today: [], upcoming: [] };
  for (const item of items) groups[item.state].push(item);
  for (const state of DUE_STATES) {
    groups[state].sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
  }
  return groups;
}
