import { describe, expect, it } from 'vitest';
import type { Matches } from './generated/Matches';
import type { TeamSettings } from './generated/TeamSettings';
import { addWord, checkLeadSettings, exportFileName, hoursAndMinutes, initialChoice, toggleMember } from './leads';

const company = (id: string) => ({ id, name: id, reasons: ['name' as const] });
const contact = (id: string, company_id: string) => ({
  id,
  name: id,
  email: '',
  company_id,
  company_name: company_id,
  reasons: ['mail' as const],
});

describe('leads', () => {
  it('adds a source or a reason only once, trimmed and not blank', () => {
    expect(addWord('lead_sources', ['web_form'], ' セミナー ')).toEqual({ list: ['web_form', 'セミナー'], problem: null });
    expect(addWord('lead_sources', ['web_form'], 'web_form').problem).toEqual({ field: 'lead_sources', reason: 'duplicate' });
    expect(addWord('lead_disqualify_reasons', [], '  ').problem).toEqual({ field: 'lead_disqualify_reasons', reason: 'blank' });
    expect(addWord('lead_sources', [], 'あ'.repeat(61)).problem?.reason).toBe('too_long');
  });

  it('checks the lead settings as the engine does', () => {
    const s = {
      lead_sources: ['web_form'],
      lead_disqualify_reasons: ['重複'],
      lead_assignment: { mode: 'round_robin', members: [] },
      lead_first_response_hours: 1,
      nurture_check_in_months: 3,
      nurture_max_months: 24,
    } as unknown as TeamSettings;
    expect(checkLeadSettings(s)).toEqual({ field: 'lead_assignment', reason: 'required' });
    s.lead_assignment.members = ['u1'];
    expect(checkLeadSettings(s)).toBeNull();
    s.nurture_max_months = 2;
    expect(checkLeadSettings(s)).toEqual({ field: 'nurture_max_months', reason: 'range' });
  });

  it('toggles members of the round robin in order', () => {
    expect(toggleMember(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(toggleMember(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
  });

  it('offers the one matching customer first, and asks when there are several', () => {
    const one: Matches = { companies: [company('c1')], contacts: [contact('p1', 'c1'), contact('p2', 'c9')] };
    expect(initialChoice(one)).toEqual({ company: 'c1', contact: 'p1' });
    const two: Matches = { companies: [company('c1'), company('c2')], contacts: [] };
    expect(initialChoice(two)).toEqual({ company: null, contact: null });
    expect(initialChoice({ companies: [], contacts: [] })).toEqual({ company: null, contact: null });
  });

  it('names the export by the day and splits minutes', () => {
    expect(exportFileName(new Date(2026, 10, 5))).toBe('nurture-20261105.csv');
    expect(hoursAndMinutes(65)).toEqual({ h: 1, m: 5 });
  });
});
