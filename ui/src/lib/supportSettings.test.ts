import { describe, expect, it } from 'vitest';
import type { TeamSettings } from './generated/TeamSettings';
import { addChecklistItem, addHoliday, checkSupportSettings, copySettings, isDay, minutesOf } from './supportSettings';

const base = (): TeamSettings => ({
  cadence_days: [1, 3, 7],
  pushy_max_touches: 3,
  pushy_window_days: 7,
  retention_days_key: 30,
  retention_days_other: 90,
  renewal_hearing_days: 60,
  renewal_proposal_days: 30,
  renewal_post_days: 30,
  decision_deadline_days: 14,
  lost_reasons: ['価格'],
  reapproach_lead_days: 60,
  reapproach_unknown_months: 6,
  business_hours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00', holidays: ['2027-01-01'] },
  case_sla: {
    urgent: { first_response_hours: 1, resolution_hours: 9 },
    high: { first_response_hours: 2, resolution_hours: 18 },
    normal: { first_response_hours: 4, resolution_hours: 27 },
    low: { first_response_hours: 9, resolution_hours: 45 },
  },
  sla_warn_minutes: 60,
  handoff_ack_hours: 4,
  handoff_checklist: ['契約書を受領した'],
  lead_sources: ['web_form', 'other'],
  lead_disqualify_reasons: ['重複'],
  lead_assignment: { mode: 'nobody', members: [] },
  lead_first_response_hours: 1,
  nurture_check_in_months: 3,
  nurture_max_months: 24,
});

const problem = (change: (s: TeamSettings) => void) => {
  const s = base();
  change(s);
  return checkSupportSettings(s);
};

describe('support settings', () => {
  it('accepts the defaults', () => {
    expect(checkSupportSettings(base())).toBeNull();
  });

  it('names each field the engine would refuse, with its reason', () => {
    expect(problem((s) => (s.business_hours.days = []))).toEqual({ field: 'business_days', reason: 'required' });
    expect(problem((s) => (s.business_hours.days = [0]))).toEqual({ field: 'business_days', reason: 'format' });
    expect(problem((s) => (s.business_hours.start = '9時'))).toEqual({ field: 'business_start', reason: 'format' });
    expect(problem((s) => (s.business_hours.end = '24:00'))).toEqual({ field: 'business_end', reason: 'format' });
    expect(problem((s) => (s.business_hours.end = '09:00'))).toEqual({ field: 'business_end', reason: 'before_start' });
    expect(problem((s) => (s.business_hours.holidays = ['2027-02-30']))).toEqual({ field: 'holidays', reason: 'format' });
    expect(problem((s) => (s.case_sla.high.first_response_hours = 0))).toEqual({ field: 'first_response_hours', reason: 'range' });
    // An emptied number box arrives as null: refused, not sent.
    expect(problem((s) => (s.case_sla.low.resolution_hours = null as unknown as number))).toEqual({
      field: 'resolution_hours',
      reason: 'range',
    });
    expect(problem((s) => (s.case_sla.normal.resolution_hours = 3))).toEqual({ field: 'resolution_hours', reason: 'range' });
    expect(problem((s) => (s.sla_warn_minutes = 4))).toEqual({ field: 'sla_warn_minutes', reason: 'range' });
    expect(problem((s) => (s.handoff_ack_hours = 201))).toEqual({ field: 'handoff_ack_hours', reason: 'range' });
    expect(problem((s) => (s.handoff_checklist = ['a', ' '])) ).toEqual({ field: 'handoff_checklist', reason: 'blank' });
    expect(problem((s) => (s.handoff_checklist = ['あ', 'あ ']))).toEqual({ field: 'handoff_checklist', reason: 'duplicate' });
    expect(problem((s) => (s.handoff_checklist = ['😀'.repeat(101)]))).toEqual({ field: 'handoff_checklist', reason: 'too_long' });
    expect(problem((s) => (s.handoff_checklist = Array.from({ length: 31 }, (_, i) => `項目${i}`)))).toEqual({
      field: 'handoff_checklist',
      reason: 'too_many',
    });
  });

  it('reads times and days as the engine does', () => {
    expect(minutesOf('9:30')).toBe(570);
    expect(minutesOf('09:30')).toBe(570);
    expect(minutesOf('25:00')).toBeNull();
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2027-02-29')).toBe(false);
  });

  it('adds holidays in date order and checklist items trimmed, refusing with a reason', () => {
    expect(addHoliday(['2027-01-03'], '2027-01-01')).toEqual({ list: ['2027-01-01', '2027-01-03'], problem: null });
    expect(addHoliday(['2027-01-01'], '2027-01-01').problem).toEqual({ field: 'holidays', reason: 'duplicate' });
    expect(addHoliday([], '').problem).toEqual({ field: 'holidays', reason: 'format' });
    expect(addChecklistItem(['a'], '  キックオフ  ')).toEqual({ list: ['a', 'キックオフ'], problem: null });
    expect(addChecklistItem(['a'], ' ').problem).toEqual({ field: 'handoff_checklist', reason: 'blank' });
    expect(addChecklistItem(['a'], 'a').problem).toEqual({ field: 'handoff_checklist', reason: 'duplicate' });
  });

  it('copies deeply, so editing the draft leaves what was loaded alone', () => {
    const loaded = base();
    const draft = copySettings(loaded);
    draft.business_hours.days.push(6);
    draft.business_hours.holidays.push('2027-01-02');
    draft.case_sla.urgent.first_response_hours = 2;
    draft.handoff_checklist.push('x');
    expect(loaded).toEqual(base());
  });
});
