import type { TeamSettings } from './generated/TeamSettings';
import { charCount, integerIn, type Problem } from './pipelineEdit';

// The support half of the team settings (business hours, service levels,
// hand-offs), apart from the DOM so it is tested without a window. The
// checks mirror TeamSettings::validated and BusinessHours::validated in
// core/src/team/ (settings.rs, business_hours.rs); the engine checks every
// save again.

export const SLA_HOURS_RANGE = { min: 1, max: 200 } as const;
export const SLA_WARN_RANGE = { min: 5, max: 480 } as const;
export const CHECKLIST_ITEM_MAX_CHARS = 100;
export const CHECKLIST_ITEMS_MAX = 30;
export const HOLIDAYS_MAX = 200;
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;

const HM = /^([01]?\d|2[0-3]):[0-5]\d$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** "9:00" and "09:00" alike, as minutes after midnight; null when not a time. */
export function minutesOf(hm: string): number | null {
  const s = hm.trim();
  if (!HM.test(s)) return null;
  const [h, m] = s.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** A real calendar day written YYYY-MM-DD (not 2026-02-30). */
export function isDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** A deep copy: the editor's draft must not share the nested lists with what was loaded. */
export function copySettings(s: TeamSettings): TeamSettings {
  return {
    ...s,
    lost_reasons: [...s.lost_reasons],
    cadence_days: [...s.cadence_days],
    business_hours: { ...s.business_hours, days: [...s.business_hours.days], holidays: [...s.business_hours.holidays] },
    case_sla: {
      urgent: { ...s.case_sla.urgent },
      high: { ...s.case_sla.high },
      normal: { ...s.case_sla.normal },
      low: { ...s.case_sla.low },
    },
    handoff_checklist: [...s.handoff_checklist],
    lead_sources: [...s.lead_sources],
    lead_disqualify_reasons: [...s.lead_disqualify_reasons],
    lead_assignment: { ...s.lead_assignment, members: [...s.lead_assignment.members] },
  };
}

/** The holidays with `day` added, in date order, or unchanged with the reason it was refused. */
export function addHoliday(list: readonly string[], day: string): { list: string[]; problem: Problem | null } {
  const refuse = (reason: string) => ({ list: [...list], problem: { field: 'holidays', reason } });
  if (!isDay(day)) return refuse('format');
  if (list.includes(day)) return refuse('duplicate');
  if (list.length >= HOLIDAYS_MAX) return refuse('too_many');
  return { list: [...list, day].sort(), problem: null };
}

/** The checklist with `text` added (trimmed), or unchanged with the reason it was refused. */
export function addChecklistItem(list: readonly string[], text: string): { list: string[]; problem: Problem | null } {
  const item = text.trim();
  const refuse = (reason: string) => ({ list: [...list], problem: { field: 'handoff_checklist', reason } });
  if (!item) return refuse('blank');
  if (charCount(item) > CHECKLIST_ITEM_MAX_CHARS) return refuse('too_long');
  if (list.some((x) => x.trim() === item)) return refuse('duplicate');
  if (list.length >= CHECKLIST_ITEMS_MAX) return refuse('too_many');
  return { list: [...list, item], problem: null };
}

/** The first problem the engine would report in the support settings, in its order; null when none. */
export function checkSupportSettings(s: TeamSettings): Problem | null {
  const h = s.business_hours;
  if (h.days.length === 0) return { field: 'business_days', reason: 'required' };
  if (h.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return { field: 'business_days', reason: 'format' };
  const start = minutesOf(h.start);
  if (start === null) return { field: 'business_start', reason: 'format' };
  const end = minutesOf(h.end);
  if (end === null) return { field: 'business_end', reason: 'format' };
  if (end <= start) return { field: 'business_end', reason: 'before_start' };
  if (h.holidays.some((d) => !isDay(d))) return { field: 'holidays', reason: 'format' };
  if (new Set(h.holidays).size > HOLIDAYS_MAX) return { field: 'holidays', reason: 'too_many' };
  for (const p of PRIORITIES) {
    const target = s.case_sla[p];
    if (!integerIn(target.first_response_hours, SLA_HOURS_RANGE)) return { field: 'first_response_hours', reason: 'range' };
    if (!integerIn(target.resolution_hours, SLA_HOURS_RANGE) || target.resolution_hours < target.first_response_hours) {
      return { field: 'resolution_hours', reason: 'range' };
    }
  }
  if (!integerIn(s.sla_warn_minutes, SLA_WARN_RANGE)) return { field: 'sla_warn_minutes', reason: 'range' };
  if (!integerIn(s.handoff_ack_hours, SLA_HOURS_RANGE)) return { field: 'handoff_ack_hours', reason: 'range' };
  const seen = new Set<string>();
  for (const raw of s.handoff_checklist) {
    const item = raw.trim();
    if (!item) return { field: 'handoff_checklist', reason: 'blank' };
    if (charCount(item) > CHECKLIST_ITEM_MAX_CHARS) return { field: 'handoff_checklist', reason: 'too_long' };
    if (seen.has(item)) return { field: 'handoff_checklist', reason: 'duplicate' };
    seen.add(item);
  }
  if (seen.size > CHECKLIST_ITEMS_MAX) return { field: 'handoff_checklist', reason: 'too_many' };
  return null;
}
