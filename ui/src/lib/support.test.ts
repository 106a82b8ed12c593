import { describe, expect, it } from 'vitest';
import type { CaseRow } from './generated/CaseRow';
import { routeFor } from './followups';
import { businessTime, currentTarget, moveLabel, slaText } from './support';

/** Where clicking a case's breach notification goes. */
const followupsRoute = (caseId: string) =>
  routeFor({
    kind: 'single',
    reminder: {
      kind: 'case_response_breached',
      item_id: caseId,
      due_at: '2026-11-25T03:00:00Z',
      follow_up_kind: null,
      title: '#1 請求書',
      engine_text: null,
      company_id: 'co',
      company_name: '株式会社テスト',
      deal_id: null,
      deal_title: null,
    },
  });

const row = (fr: CaseRow['first_response'], res: CaseRow['resolution']): CaseRow => ({
  id: 'c1',
  number: 1,
  subject: '請求書',
  company_id: 'co',
  company_name: '株式会社テスト',
  contact_id: null,
  contact_name: null,
  channel: 'phone',
  category: 'complaint',
  priority: 'high',
  status: 'in_progress',
  assignee_id: null,
  assignee_name: null,
  received_at: '2026-11-25T01:00:00Z',
  first_response: fr,
  resolution: res,
  version: 1,
});

describe('support inbox wording', () => {
  it('says business time in hours and minutes in both languages', () => {
    expect(businessTime(135, 'ja')).toBe('2時間15分');
    expect(businessTime(135, 'en')).toBe('2 h 15 min');
    expect(businessTime(-45, 'en')).toBe('45 min');
    expect(businessTime(120, 'ja')).toBe('2時間');
  });

  it('words each state of a target', () => {
    expect(slaText({ state: 'on_track', due_at: '', minutes_left: 200 }, 'ja')).toBe('残り 3時間20分');
    expect(slaText({ state: 'due_soon', due_at: '', minutes_left: 30 }, 'en')).toBe('Due soon: 30 min left');
    expect(slaText({ state: 'breached', due_at: '', minutes_left: -90 }, 'en')).toBe('1 h 30 min over');
    expect(slaText({ state: 'breached', due_at: '', minutes_left: null }, 'ja')).toBe('期限後に対応');
    expect(slaText({ state: 'breached', due_at: '', minutes_left: 0 }, 'en')).toBe('1 min over');
    expect(slaText({ state: 'met', due_at: '', minutes_left: null }, 'en')).toBe('Done in time');
  });

  it('opens the case a breach notification is about', () => {
    expect(followupsRoute('c9')).toEqual({ view: 'case', caseId: 'c9' });
  });

  it('shows the first response until it is given, then the resolution', () => {
    const open = { state: 'on_track' as const, due_at: 'a', minutes_left: 10 };
    const met = { state: 'met' as const, due_at: 'a', minutes_left: null };
    expect(currentTarget(row(open, open)).which).toBe('first_response');
    expect(currentTarget(row(met, open)).which).toBe('resolution');
  });

  it('calls going back to work from a finished case a reopening', () => {
    expect(moveLabel('closed', 'in_progress')).toBe('reopen');
    expect(moveLabel('resolved', 'in_progress')).toBe('reopen');
    expect(moveLabel('waiting', 'in_progress')).toBe('in_progress');
  });
});
