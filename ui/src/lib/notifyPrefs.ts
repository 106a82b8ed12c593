import type { NotifyPrefs } from './generated/NotifyPrefs';
import type { Problem } from './pipelineEdit';

// The notification settings form, apart from the DOM so it is tested without
// a window. The checks mirror NotifyPrefs::validated in core/src/followups/reminder.rs;
// the engine checks every save again.

/** ISO weekday numbers (1 = Monday) with their catalogue names, Monday first as the engine counts. */
export const WEEKDAYS = [
  { iso: 1, name: 'mon' },
  { iso: 2, name: 'tue' },
  { iso: 3, name: 'wed' },
  { iso: 4, name: 'thu' },
  { iso: 5, name: 'fri' },
  { iso: 6, name: 'sat' },
  { iso: 7, name: 'sun' },
] as const;

/** What ticking "quiet hours" offers first: the engine's own default. */
export const DEFAULT_QUIET = { start: '20:00', end: '08:00' } as const;

/**
 * The form's state. The times stay in the draft while quiet hours are off,
 * so unticking and ticking again gives back what the user had typed.
 */
export type PrefsDraft = {
  enabled: boolean;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  workingDays: number[];
};

export function prefsDraft(p: NotifyPrefs): PrefsDraft {
  const quiet = p.quiet_start !== null || p.quiet_end !== null;
  return {
    enabled: p.enabled,
    quiet,
    quietStart: quiet ? (p.quiet_start ?? '') : DEFAULT_QUIET.start,
    quietEnd: quiet ? (p.quiet_end ?? '') : DEFAULT_QUIET.end,
    workingDays: [...p.working_days].sort((a, b) => a - b),
  };
}

/**
 * A time field's value as "HH:MM", null when empty. A webview may add seconds
 * ("08:00:00") that the engine's "HH:MM" would refuse; anything unreadable is
 * passed on as typed so the check names it.
 */
export function normalizeTime(value: string): string | null {
  const text = value.trim();
  if (text === '') return null;
  const m = /^(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(text);
  if (!m) return text;
  const hours = Number(m[1]);
  const minutes = Number(m[2]);
  if (hours > 23 || minutes > 59) return text;
  return `${String(hours).padStart(2, '0')}:${m[2]}`;
}

/**
 * The draft with quiet hours ticked or unticked. Ticking with both fields
 * empty offers the default again rather than two blank fields.
 */
export function withQuiet(d: PrefsDraft, on: boolean): PrefsDraft {
  if (!on) return { ...d, quiet: false };
  const blank = normalizeTime(d.quietStart) === null && normalizeTime(d.quietEnd) === null;
  return blank ? { ...d, quiet: true, quietStart: DEFAULT_QUIET.start, quietEnd: DEFAULT_QUIET.end } : { ...d, quiet: true };
}

/** What `saveNotifyPrefs` takes: no quiet hours at all while the box is unticked. */
export function draftPrefs(d: PrefsDraft): NotifyPrefs {
  return {
    enabled: d.enabled,
    quiet_start: d.quiet ? normalizeTime(d.quietStart) : null,
    quiet_end: d.quiet ? normalizeTime(d.quietEnd) : null,
    working_days: [...d.workingDays].sort((a, b) => a - b),
  };
}

/** The working days with `day` switched on or off, in weekday order. */
export function toggleDay(days: readonly number[], day: number): number[] {
  const next = days.includes(day) ? days.filter((d) => d !== day) : [...days, day];
  return [...new Set(next)].sort((a, b) => a - b);
}

const HM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The first problem the engine would report for these preferences, in its order; null when none. */
export function checkPrefs(p: NotifyPrefs): Problem | null {
  if (p.quiet_start !== null && !HM.test(p.quiet_start)) return { field: 'quiet_start', reason: 'format' };
  if (p.quiet_end !== null && !HM.test(p.quiet_end)) return { field: 'quiet_end', reason: 'format' };
  if (p.quiet_start !== null && p.quiet_start === p.quiet_end) return { field: 'quiet_end', reason: 'same_as_start' };
  if (p.quiet_start !== null && p.quiet_end === null) return { field: 'quiet_end', reason: 'required' };
  if (p.quiet_start === null && p.quiet_end !== null) return { field: 'quiet_start', reason: 'required' };
  if (p.working_days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return { field: 'working_days', reason: 'format' };
  if (p.working_days.length === 0) return { field: 'working_days', reason: 'required' };
  return null;
}

/**
 * With the box ticked both times are needed: the engine would take two empty
 * fields as "no quiet hours", which is not what a ticked box says.
 */
export function checkDraft(d: PrefsDraft): Problem | null {
  if (d.quiet && normalizeTime(d.quietStart) === null) return { field: 'quiet_start', reason: 'required' };
  if (d.quiet && normalizeTime(d.quietEnd) === null) return { field: 'quiet_end', reason: 'required' };
  return checkPrefs(draftPrefs(d));
}

/** True when saving the draft would change what was loaded. */
export function isPrefsDirty(loaded: NotifyPrefs, d: PrefsDraft): boolean {
  const a = draftPrefs(prefsDraft(loaded));
  const b = draftPrefs(d);
  return JSON.stringify(a) !== JSON.stringify(b);
}
