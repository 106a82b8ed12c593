import type { Matches } from './generated/Matches';
import type { TeamSettings } from './generated/TeamSettings';
import type { Problem } from './pipelineEdit';

// The pure rules of the Leads view (docs/leads.md), kept out of the
// components so they are tested on their own.

/** The built-in sources the engine stores as codes (leads.source.* words them). */
export const BUILT_IN_SOURCES = ['web_form', 'document_request', 'exhibition', 'referral', 'phone', 'other'] as const;
export const WORD_MAX_CHARS = 60;
export const WORDS_MAX = 30;
export const FIRST_RESPONSE_RANGE = { min: 1, max: 200 } as const;
export const CHECK_IN_RANGE = { min: 1, max: 12 } as const;
export const NURTURE_MAX_RANGE = { min: 1, max: 24 } as const;

const charCount = (s: string): number => [...s].length;

/** Adds a word to one of the team's pick lists (sources, disqualify reasons). */
export function addWord(
  field: 'lead_sources' | 'lead_disqualify_reasons',
  list: readonly string[],
  text: string,
): { list: string[]; problem: Problem | null } {
  const word = text.trim();
  const refuse = (reason: string) => ({ list: [...list], problem: { field, reason } });
  if (!word) return refuse('blank');
  if (charCount(word) > WORD_MAX_CHARS) return refuse('too_long');
  if (list.some((x) => x.trim() === word)) return refuse('duplicate');
  if (list.length >= WORDS_MAX) return refuse('too_many');
  return { list: [...list, word], problem: null };
}

/** The first problem the engine would report in the lead settings; null when none. */
export function checkLeadSettings(s: TeamSettings): Problem | null {
  if (s.lead_sources.length === 0) return { field: 'lead_sources', reason: 'required' };
  if (s.lead_disqualify_reasons.length === 0) return { field: 'lead_disqualify_reasons', reason: 'required' };
  if (s.lead_assignment.mode !== 'nobody' && s.lead_assignment.members.length === 0) {
    return { field: 'lead_assignment', reason: 'required' };
  }
  const within = (v: number, r: { min: number; max: number }): boolean => Number.isInteger(v) && v >= r.min && v <= r.max;
  if (!within(s.lead_first_response_hours, FIRST_RESPONSE_RANGE)) return { field: 'lead_first_response_hours', reason: 'range' };
  if (!within(s.nurture_check_in_months, CHECK_IN_RANGE)) return { field: 'nurture_check_in_months', reason: 'range' };
  if (!within(s.nurture_max_months, NURTURE_MAX_RANGE) || s.nurture_max_months < s.nurture_check_in_months) {
    return { field: 'nurture_max_months', reason: 'range' };
  }
  return null;
}

/** Adds or removes a member of the round robin, keeping the list's order. */
export function toggleMember(members: readonly string[], id: string): string[] {
  return members.includes(id) ? members.filter((m) => m !== id) : [...members, id];
}

/**
 * What the convert dialog chooses first: the one matching customer (and
 * contact of it) when there is exactly one — the user still sees it and may
 * choose "new" — otherwise nothing, so several matches need a choice.
 */
export function initialChoice(m: Matches): { company: string | null; contact: string | null } {
  if (m.companies.length !== 1) return { company: null, contact: null };
  const company = m.companies[0]?.id ?? null;
  const contacts = m.contacts.filter((c) => c.company_id === company);
  return { company, contact: contacts.length === 1 ? (contacts[0]?.id ?? null) : null };
}

/** The export's file name: the list and the day, so a second export does not overwrite the first. */
export function exportFileName(today: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `nurture-${today.getFullYear()}${pad(today.getMonth() + 1)}${pad(today.getDate())}.csv`;
}

/** Minutes as "1時間5分" / "1 h 5 min" parts, for the median first response. */
export function hoursAndMinutes(minutes: number): { h: number; m: number } {
  const m = Math.max(0, Math.round(minutes));
  return { h: Math.floor(m / 60), m: m % 60 };
}
