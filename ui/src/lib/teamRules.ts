import type { TeamSettings } from './generated/TeamSettings';
import { integerIn, type Problem } from './pipelineEdit';

// The follow-up cadence and the guards of the team settings (issue 6), apart
// from the DOM so they are tested without a window. The limits mirror
// core/src/team/settings.rs; the engine checks every save again.

export const CADENCE_STEPS_MAX = 10;
export const CADENCE_DAY_RANGE = { min: 1, max: 365 } as const;
export const PUSHY_MAX_RANGE = { min: 1, max: 20 } as const;
export const PUSHY_WINDOW_RANGE = { min: 1, max: 90 } as const;
export const RETENTION_RANGE = { min: 7, max: 730 } as const;
export const RENEWAL_LEAD_RANGE = { min: 1, max: 365 } as const;
export const RENEWAL_POST_RANGE = { min: 1, max: 180 } as const;

export type CadenceParse = { days: number[]; problem: null } | { days: null; problem: Problem };

/**
 * The intervals in what the user typed: numbers separated by commas or
 * spaces. Japanese input often arrives full-width ("１、３、７"), so the text
 * is NFKC-normalised first and 、 counts as a comma. Only the shape is checked
 * here; count, range and order are `checkTeamRules`' business, as in the engine.
 */
export function parseCadence(text: string): CadenceParse {
  const tokens = text
    .normalize('NFKC')
    .split(/[\s,、;]+/u)
    .filter((token) => token !== '');
  const days: number[] = [];
  for (const token of tokens) {
    if (!/^\d+$/.test(token)) return { days: null, problem: { field: 'cadence_days', reason: 'format' } };
    days.push(Number(token));
  }
  return { days, problem: null };
}

/** The intervals as the text field shows them. */
export function formatCadence(days: readonly number[]): string {
  return days.join(', ');
}

/** True when the text means other intervals than `days` (unreadable text counts as a change). */
export function isCadenceChanged(text: string, days: readonly number[]): boolean {
  const parsed = parseCadence(text).days;
  return parsed === null || parsed.length !== days.length || parsed.some((d, i) => d !== days[i]);
}

type Rules = Pick<
  TeamSettings,
  | 'cadence_days'
  | 'pushy_max_touches'
  | 'pushy_window_days'
  | 'retention_days_key'
  | 'retention_days_other'
  | 'renewal_hearing_days'
  | 'renewal_proposal_days'
  | 'renewal_post_days'
>;

/**
 * The first problem the engine would report for the cadence and guards, in
 * its order (it checks them after the fields `checkSettings` covers); null
 * when none. An emptied number field (null) is out of range rather than sent.
 */
export function checkTeamRules(s: Rules): Problem | null {
  const cadence = s.cadence_days;
  if (cadence.length === 0 || cadence.length > CADENCE_STEPS_MAX) return { field: 'cadence_days', reason: 'count' };
  if (cadence.some((d) => !integerIn(d, CADENCE_DAY_RANGE))) return { field: 'cadence_days', reason: 'range' };
  // Equal neighbours are allowed: the cadence only must not shrink.
  if (cadence.some((d, i) => i > 0 && d < (cadence[i - 1] as number))) return { field: 'cadence_days', reason: 'order' };
  if (!integerIn(s.renewal_hearing_days, RENEWAL_LEAD_RANGE)) return { field: 'renewal_hearing_days', reason: 'range' };
  // The proposal comes after the hearing: its lead time is not longer.
  if (!integerIn(s.renewal_proposal_days, RENEWAL_LEAD_RANGE) || s.renewal_proposal_days > s.renewal_hearing_days) {
    return { field: 'renewal_proposal_days', reason: 'range' };
  }
  if (!integerIn(s.renewal_post_days, RENEWAL_POST_RANGE)) return { field: 'renewal_post_days', reason: 'range' };
  if (!integerIn(s.pushy_max_touches, PUSHY_MAX_RANGE)) return { field: 'pushy_max_touches', reason: 'range' };
  if (!integerIn(s.pushy_window_days, PUSHY_WINDOW_RANGE)) return { field: 'pushy_window_days', reason: 'range' };
  if (!integerIn(s.retention_days_key, RETENTION_RANGE)) return { field: 'retention_days_key', reason: 'range' };
  if (!integerIn(s.retention_days_other, RETENTION_RANGE)) return { field: 'retention_days_other', reason: 'range' };
  return null;
}
