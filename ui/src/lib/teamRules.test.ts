import { describe, expect, it } from 'vitest';
import { errorText } from './errors';
import { checkTeamRules, formatCadence, isCadenceChanged, parseCadence } from './teamRules';
import { problemPayload } from './pipelineEdit';

const RULES = {
  cadence_days: [1, 3, 7, 14, 30],
  pushy_max_touches: 3,
  pushy_window_days: 7,
  retention_days_key: 30,
  retention_days_other: 90,
  renewal_hearing_days: 60,
  renewal_proposal_days: 30,
  renewal_post_days: 30,
};

function rules(extra: Partial<typeof RULES> | Record<string, unknown> = {}): typeof RULES {
  return { ...RULES, ...extra } as typeof RULES;
}

describe('parseCadence', () => {
  it('reads numbers separated by commas, spaces or both', () => {
    expect(parseCadence('1, 3, 7, 14, 30')).toEqual({ days: [1, 3, 7, 14, 30], problem: null });
    expect(parseCadence('1 3  7\t14')).toEqual({ days: [1, 3, 7, 14], problem: null });
    expect(parseCadence(' 2,5, ')).toEqual({ days: [2, 5], problem: null });
  });

  it('reads full-width digits, the ideographic comma and full-width separators', () => {
    expect(parseCadence('１、３、７、１４')).toEqual({ days: [1, 3, 7, 14], problem: null });
    expect(parseCadence('１，３　７')).toEqual({ days: [1, 3, 7], problem: null });
  });

  it('keeps the order and duplicates as typed, for the check to judge', () => {
    expect(parseCadence('7, 3, 3')).toEqual({ days: [7, 3, 3], problem: null });
  });

  it('gives an empty list for empty text', () => {
    expect(parseCadence('')).toEqual({ days: [], problem: null });
    expect(parseCadence(' 、 ')).toEqual({ days: [], problem: null });
  });

  it('refuses anything but whole non-negative numbers', () => {
    const format = { days: null, problem: { field: 'cadence_days', reason: 'format' } };
    expect(parseCadence('1, 2.5')).toEqual(format);
    expect(parseCadence('-1, 3')).toEqual(format);
    expect(parseCadence('1, three')).toEqual(format);
    expect(parseCadence('1日、3日')).toEqual(format);
  });
});

describe('formatCadence and isCadenceChanged', () => {
  it('round-trips through the text', () => {
    expect(formatCadence([1, 3, 7])).toBe('1, 3, 7');
    expect(parseCadence(formatCadence([1, 3, 7])).days).toEqual([1, 3, 7]);
  });

  it('sees only a change of values, not of spelling', () => {
    expect(isCadenceChanged('1,3,7', [1, 3, 7])).toBe(false);
    expect(isCadenceChanged('１、３、７', [1, 3, 7])).toBe(false);
    expect(isCadenceChanged('1, 3', [1, 3, 7])).toBe(true);
    expect(isCadenceChanged('1, 3, 8', [1, 3, 7])).toBe(true);
    expect(isCadenceChanged('1, x', [1, 3, 7])).toBe(true);
  });
});

describe('checkTeamRules', () => {
  it('accepts the defaults and a cadence that stays the same', () => {
    expect(checkTeamRules(rules())).toBeNull();
    expect(checkTeamRules(rules({ cadence_days: [2, 2, 10] }))).toBeNull();
    expect(checkTeamRules(rules({ cadence_days: [365] }))).toBeNull();
  });

  it('wants one to ten intervals', () => {
    expect(checkTeamRules(rules({ cadence_days: [] }))).toEqual({ field: 'cadence_days', reason: 'count' });
    expect(checkTeamRules(rules({ cadence_days: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }))).toEqual({
      field: 'cadence_days',
      reason: 'count',
    });
    expect(checkTeamRules(rules({ cadence_days: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }))).toBeNull();
  });

  it('wants each interval from one day to a year', () => {
    expect(checkTeamRules(rules({ cadence_days: [0, 1] }))).toEqual({ field: 'cadence_days', reason: 'range' });
    expect(checkTeamRules(rules({ cadence_days: [1, 366] }))).toEqual({ field: 'cadence_days', reason: 'range' });
  });

  it('refuses a shrinking cadence', () => {
    expect(checkTeamRules(rules({ cadence_days: [3, 1] }))).toEqual({ field: 'cadence_days', reason: 'order' });
  });

  it('checks the pushiness guard and the retention intervals in the engine order', () => {
    expect(checkTeamRules(rules({ pushy_max_touches: 0 }))).toEqual({ field: 'pushy_max_touches', reason: 'range' });
    expect(checkTeamRules(rules({ pushy_max_touches: 21 }))).toEqual({ field: 'pushy_max_touches', reason: 'range' });
    expect(checkTeamRules(rules({ pushy_window_days: 91 }))).toEqual({ field: 'pushy_window_days', reason: 'range' });
    expect(checkTeamRules(rules({ retention_days_key: 6 }))).toEqual({ field: 'retention_days_key', reason: 'range' });
    expect(checkTeamRules(rules({ retention_days_other: 731 }))).toEqual({
      field: 'retention_days_other',
      reason: 'range',
    });
    expect(checkTeamRules(rules({ cadence_days: [], pushy_max_touches: 0 }))).toEqual({
      field: 'cadence_days',
      reason: 'count',
    });
    expect(checkTeamRules(rules({ retention_days_key: 7, retention_days_other: 730 }))).toBeNull();
  });

  it('checks the renewal lead times, the proposal not before the hearing, before the guard', () => {
    expect(checkTeamRules(rules({ renewal_hearing_days: 0 }))).toEqual({ field: 'renewal_hearing_days', reason: 'range' });
    expect(checkTeamRules(rules({ renewal_proposal_days: 61 }))).toEqual({ field: 'renewal_proposal_days', reason: 'range' });
    expect(checkTeamRules(rules({ renewal_post_days: 181 }))).toEqual({ field: 'renewal_post_days', reason: 'range' });
    expect(checkTeamRules(rules({ renewal_post_days: 0, pushy_max_touches: 0 }))).toEqual({
      field: 'renewal_post_days',
      reason: 'range',
    });
    expect(checkTeamRules(rules({ renewal_hearing_days: 90, renewal_proposal_days: 90 }))).toBeNull();
  });

  it('treats an emptied or fractional number field as out of range', () => {
    expect(checkTeamRules(rules({ pushy_window_days: null }))).toEqual({ field: 'pushy_window_days', reason: 'range' });
    expect(checkTeamRules(rules({ retention_days_key: 7.5 }))).toEqual({ field: 'retention_days_key', reason: 'range' });
  });
});

describe('the engine reasons', () => {
  const generic = (reason: string) => problemPayload({ field: 'x', reason });

  it('each have their own sentence in both languages', () => {
    const pairs: [string, string][] = [
      ['cadence_days', 'format'],
      ['cadence_days', 'count'],
      ['cadence_days', 'range'],
      ['cadence_days', 'order'],
      ['pushy_max_touches', 'range'],
      ['pushy_window_days', 'range'],
      ['retention_days_key', 'range'],
      ['retention_days_other', 'range'],
    ];
    for (const [field, reason] of pairs) {
      for (const lang of ['ja', 'en'] as const) {
        const text = errorText(problemPayload({ field, reason }), lang);
        // Neither the generic "invalid input" nor the reason's generic wording.
        expect(text, `${lang}: ${field}.${reason}`).not.toBe(errorText(generic('x'), lang));
        expect(text, `${lang}: ${field}.${reason}`).not.toBe(errorText(generic(reason), lang));
      }
    }
  });
});
