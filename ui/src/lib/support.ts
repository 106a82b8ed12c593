import type { CaseRow } from './generated/CaseRow';
import type { CaseStatus } from './generated/CaseStatus';
import type { SlaView } from './generated/SlaView';
import type { Language } from './generated/Language';
import { translate } from './i18n/translate';

// The support inbox and case page (docs/support.md): how a service level
// is said, and which of a case's two targets the inbox shows.

/** Business minutes as "2時間15分" / "2 h 15 min". */
export function businessTime(minutes: number, lang: Language): string {
  const m = Math.abs(Math.round(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return translate(lang, 'support.minutes', { m: String(rest) });
  if (rest === 0) return translate(lang, 'support.hours', { h: String(h) });
  return translate(lang, 'support.hoursMinutes', { h: String(h), m: String(rest) });
}

/** A target's badge text: time left or over in business time, or how it was met. */
export function slaText(view: SlaView, lang: Language): string {
  const left = view.minutes_left;
  switch (view.state) {
    case 'met':
      return translate(lang, 'support.sla.met');
    case 'breached':
      return left === null
        ? translate(lang, 'support.sla.breachedDone')
        : // Past it by less than a minute is still past it.
          translate(lang, 'support.sla.breached', { time: businessTime(Math.max(1, Math.abs(left)), lang) });
    case 'due_soon':
    case 'on_track':
      return translate(lang, `support.sla.${view.state}`, { time: businessTime(left ?? 0, lang) });
  }
}

/** The target a case runs against now: the first response until it is given, then the resolution. */
export function currentTarget(row: CaseRow): { which: 'first_response' | 'resolution'; view: SlaView } {
  const fr = row.first_response;
  if (fr.minutes_left !== null) return { which: 'first_response', view: fr };
  return { which: 'resolution', view: row.resolution };
}

/** The button for moving to `to`: reopening says so. (The engine never offers `new`: someone has looked.) */
export function moveLabel(from: CaseStatus, to: CaseStatus): 'reopen' | Exclude<CaseStatus, 'new'> {
  if (to === 'new') return 'in_progress';
  return (from === 'resolved' || from === 'closed') && to === 'in_progress' ? 'reopen' : to;
}
