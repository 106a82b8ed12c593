import { describe, expect, it } from 'vitest';
import type { DueState } from './generated/DueState';
import type { FollowUpItem } from './generated/FollowUpItem';
import { DUE_STATES, groupFollowUps } from './followups';

function item(id: string, state: DueState, dueAt: string): FollowUpItem {
  return {
    id,
    kind: 'follow_up',
    title: `Call ${id}`,
    due_at: dueAt,
    state,
    assignee_id: null,
    assignee_name: null,
    company_id: null,
    company_name: null,
    deal_id: null,
    deal_title: null,
  };
}

describe('groupFollowUps', () => {
  it('groups by the backend’s state, not by re-reading the date', () => {
    // The backend decides "today" in the user's zone; the UI must not second-guess it.
    const groups = groupFollowUps([
      item('a', 'today', '2025-03-13T23:00:00Z'),
      item('b', 'overdue', '2025-03-14T01:00:00Z'),
      item('c', 'upcoming', '2025-03-01T09:00:00Z'),
    ]);
    expect(groups.today.map((i) => i.id)).toEqual(['a']);
    expect(groups.overdue.map((i) => i.id)).toEqual(['b']);
    expect(groups.upcoming.map((i) => i.id)).toEqual(['c']);
  });

  it('sorts each group by the instant, earliest first, across offsets', () => {
    const groups = groupFollowUps([
      item('late', 'upcoming', '2025-03-20T10:00:00Z'),
      // 09:00 in Tokyo is 00:00 UTC: earlier than 'utc-early' although its text sorts later.
      item('tokyo', 'upcoming', '2025-03-20T09:00:00+09:00'),
      item('utc-early', 'upcoming', '2025-03-20T01:00:00Z'),
      item('o2', 'overdue', '2025-03-10T08:00:00Z'),
      item('o1', 'overdue', '2025-03-02T08:00:00Z'),
    ]);
    expect(groups.upcoming.map((i) => i.id)).toEqual(['tokyo', 'utc-early', 'late']);
    expect(groups.overdue.map((i) => i.id)).toEqual(['o1', 'o2']);
    expect(groups.today).toEqual([]);
  });

  it('keeps all three groups, in display order, when empty', () => {
    expect(DUE_STATES).toEqual(['overdue', 'today', 'upcoming']);
    const groups = groupFollowUps([]);
    for (const state of DUE_STATES) expect(groups[state]).toEqual([]);
  });
});
