import type { Bucket } from './generated/Bucket';
import type { FollowUpItem } from './generated/FollowUpItem';
import type { Notice } from './generated/Notice';

/** The open lists, in the order the view shows them. */
export const OPEN_BUCKETS: readonly Bucket[] = ['overdue', 'today', 'upcoming', 'snoozed'];

/** Follow-ups by list; open ones by the time they come back, done ones latest first. */
export function byBucket(items: readonly FollowUpItem[]): Record<Bucket, FollowUpItem[]> {
  const out: Record<Bucket, FollowUpItem[]> = { overdue: [], today: [], upcoming: [], snoozed: [], done: [] };
  for (const item of items) out[item.bucket].push(item);
  const when = (f: FollowUpItem): number => Date.parse(f.snoozed_until ?? f.due_at);
  for (const b of OPEN_BUCKETS) out[b].sort((a, b2) => when(a) - when(b2));
  out.done.sort((a, b) => Date.parse(b.done_at ?? '') - Date.parse(a.done_at ?? ''));
  return out;
}

/** Where clicking a notification takes the user. */
export type ReminderRoute =
  | { view: 'followups'; followUpId: string | null; tab: 'open' | 'forgotten' }
  | { view: 'customer'; companyId: string }
  | { view: 'case'; caseId: string }
  | { view: 'handoffs'; handoffId: string | null }
  | { view: 'lead'; leadId: string };

export function routeFor(notice: Notice): ReminderRoute {
  if (notice.kind === 'summary') return { view: 'followups', followUpId: null, tab: 'open' };
  const r = notice.reminder;
  switch (r.kind) {
    case 'follow_up':
    case 'decision_eve':
      return { view: 'followups', followUpId: r.item_id, tab: 'open' };
    case 'forgotten_customer':
      return { view: 'customer', companyId: r.item_id };
    case 'no_next_step':
      return { view: 'followups', followUpId: null, tab: 'forgotten' };
    case 'case_response_due_soon':
    case 'case_resolution_due_soon':
    case 'case_response_breached':
    case 'case_resolution_breached':
      return { view: 'case', caseId: r.item_id };
    case 'handoff_sent':
    case 'handoff_unacknowledged':
      return { view: 'handoffs', handoffId: r.item_id };
    case 'handoff_message':
      // The item is the message; the view lists the sheet it belongs to.
      return { view: 'handoffs', handoffId: null };
    case 'lead_assigned':
    case 'lead_response_breached':
    case 'lead_resurfaced':
      return { view: 'lead', leadId: r.item_id };
  }
}

/** "YYYY-MM-DDTHH:MM" in the user's zone, as a datetime-local input wants it. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** A datetime-local value as an instant; `null` when empty or unreadable. */
export function fromLocalInput(local: string): string | null {
  if (local === '') return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
