import { describe, expect, it } from 'vitest';
import type { Bucket } from './generated/Bucket';
import type { FollowUpItem } from './generated/FollowUpItem';
import type { Reminder } from './generated/Reminder';
import { byBucket, fromLocalInput, routeFor, toLocalInput } from './followups';

function item(id: string, bucket: Bucket, dueAt: string, extra: Partial<FollowUpItem> = {}): FollowUpItem {
  return {
    id,
    kind: 'follow_up',
    title: `Call ${id}`,
    engine_text: null,
    due_at: dueAt,
    snoozed_until: null,
    state: bucket === 'overdue' ? 'overdue' : bucket === 'today' ? 'today' : 'upcoming',
    bucket,
    done_at: null,
    assignee_id: null,
    assignee_name: null,
    handed_over_by: null,
    handed_over_by_name: null,
    company_id: null,
    company_name: null,
    deal_id: null,
    deal_title: null,
    activity_id: null,
    version: 1,
    ...extra,
  };
}

function reminder(kind: Reminder['kind'], id: string): Reminder {
  return {
    kind,
    item_id: id,
    due_at: '2026-11-26T00:00:00Z',
    follow_up_kind: null,
    title: 't',
    engine_text: null,
    company_id: 'c',
    company_name: 'C',
    deal_id: null,
    deal_title: null,
  };
}

describe('byBucket', () => {
  it('trusts the backend’s list and orders open ones by when they come back', () => {
    // The backend decides "today" in the user's zone; the UI must not second-guess it.
    const b = byBucket([
      item('a', 'today', '2026-11-26T05:00:00Z'),
      item('b', 'overdue', '2026-11-27T01:00:00Z'),
      item('s', 'snoozed', '2026-11-20T00:00:00Z', { snoozed_until: '2026-11-30T00:00:00Z' }),
      item('t', 'snoozed', '2026-11-25T00:00:00Z', { snoozed_until: '2026-11-28T00:00:00Z' }),
      item('e', 'today', '2026-11-26T01:00:00Z'),
      item('d1', 'done', '2026-11-01T00:00:00Z', { done_at: '2026-11-02T00:00:00Z' }),
      item('d2', 'done', '2026-11-01T00:00:00Z', { done_at: '2026-11-05T00:00:00Z' }),
    ]);
    expect(b.overdue.map((i) => i.id)).toEqual(['b']);
    expect(b.today.map((i) => i.id)).toEqual(['e', 'a']);
    expect(b.snoozed.map((i) => i.id)).toEqual(['t', 's']);
    expect(b.done.map((i) => i.id)).toEqual(['d2', 'd1']);
    expect(b.upcoming).toEqual([]);
  });
});

describe('routeFor', () => {
  it('takes a clicked reminder to its record', () => {
    expect(routeFor({ kind: 'single', reminder: reminder('follow_up', 'f1') })).toEqual({
      view: 'followups',
      followUpId: 'f1',
      tab: 'open',
    });
    expect(routeFor({ kind: 'single', reminder: reminder('forgotten_customer', 'c1') })).toEqual({
      view: 'customer',
      companyId: 'c1',
    });
    expect(routeFor({ kind: 'single', reminder: reminder('no_next_step', 'd1') })).toMatchObject({ tab: 'forgotten' });
    expect(routeFor({ kind: 'summary', reminders: [], missed: true })).toMatchObject({ view: 'followups', followUpId: null });
    // A hand-off arriving or left unacknowledged opens its sheet; a message, the Hand-offs view.
    expect(routeFor({ kind: 'single', reminder: reminder('handoff_sent', 'h1') })).toEqual({ view: 'handoffs', handoffId: 'h1' });
    expect(routeFor({ kind: 'single', reminder: reminder('handoff_unacknowledged', 'h1') })).toEqual({ view: 'handoffs', handoffId: 'h1' });
    expect(routeFor({ kind: 'single', reminder: reminder('handoff_message', 'm1') })).toEqual({ view: 'handoffs', handoffId: null });
    // Every lead reminder opens the lead.
    for (const kind of ['lead_assigned', 'lead_response_breached', 'lead_resurfaced'] as const) {
      expect(routeFor({ kind: 'single', reminder: reminder(kind, 'l1') })).toEqual({ view: 'lead', leadId: 'l1' });
    }
  });
});

describe('local time inputs', () => {
  it('round-trips an instant through the datetime-local form', () => {
    const iso = '2026-11-26T03:15:00.000Z';
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('not a time')).toBeNull();
    expect(toLocalInput('garbage')).toBe('');
  });
});
