import type { DueState } from './generated/DueState';
import type { Language } from './generated/Language';
import type { NextStep } from './generated/NextStep';
import { localeOf, translate } from './i18n/translate';

// Every function takes the language explicitly (instead of reading the
// reactive one) so it is a plain function to test; components pass
// `currentLanguage()`, which keeps them reactive. `timeZone` is for tests:
// left undefined, Intl uses the user's own zone.

/** Digits after the decimal point in stored amounts: yen have none, the rest are cents. */
export function minorUnits(currency: string): number {
  return normaliseCurrency(currency) === 'JPY' ? 0 : 2;
}

function normaliseCurrency(currency: string): string {
  const code = currency.trim().toUpperCase();
  return code === '' ? 'JPY' : code;
}

/**
 * An amount in the currency's minor unit, e.g. (1250000, "JPY") → "¥1,250,000"
 * and (12345, "USD") → "$123.45", the same in both languages.
 */
export function formatMoney(amount: number, currency: string, lang: Language): string {
  const code = normaliseCurrency(currency);
  const digits = minorUnits(code);
  const value = amount / 10 ** digits;
  let text: string;
  try {
    text = new Intl.NumberFormat(localeOf(lang), {
      style: 'currency',
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    // Intl rejects malformed codes; a stored typo must not break the board.
    text = `${formatNumber(value, lang, digits)} ${code}`;
  }
  // ja-JP renders the full-width "￥"; one yen sign everywhere reads calmer.
  return text.replace('￥', '¥');
}

/**
 * An amount as a form field shows it for editing: plain digits in the
 * currency's main unit, no grouping ("1234500" yen, "12345.67" dollars).
 */
export function moneyInput(amount: number, currency: string): string {
  const digits = minorUnits(currency);
  if (digits === 0) return String(amount);
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, '0')}`;
}

/**
 * An amount as typed, in the currency's minor unit: digits of any width,
 * grouping commas and a currency sign allowed, and up to the currency's
 * decimals ("12,345.6" dollars → 1234560 cents; yen take none). Empty is 0;
 * anything else (120万, -5, 1.234 dollars) is null, so the form can say so
 * instead of saving a wrong amount.
 */
export function parseMoney(text: string, currency: string): number | null {
  const plain = text.normalize('NFKC').replace(/[,\s¥$€£]/g, '');
  if (plain === '') return 0;
  const digits = minorUnits(currency);
  const m = /^(\d+)(?:\.(\d*))?$/.exec(plain);
  if (!m) return null;
  const fraction = m[2] ?? '';
  if (fraction.length > digits) return null;
  const n = Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(n) ? n : null;
}

export function formatNumber(value: number, lang: Language, fractionDigits = 0): string {
  return new Intl.NumberFormat(localeOf(lang), {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

type CalendarDay = { year: number; month: number; day: number };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for "2025-03-14" (a calendar day) as opposed to an RFC 3339 instant. */
export function isDateOnly(value: string): boolean {
  return DATE_ONLY.test(value);
}

function parseDateOnly(value: string): CalendarDay | null {
  const m = DATE_ONLY.exec(value);
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** The calendar day an instant falls on in the given (default: the user's) zone. */
export function calendarDayOf(instant: Date, timeZone?: string): CalendarDay {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** A date-only value is a calendar day as written, never shifted by a zone. */
function dayOf(value: string, timeZone?: string): CalendarDay | null {
  const plain = parseDateOnly(value);
  if (plain) return plain;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? null : calendarDayOf(instant, timeZone);
}

function dayNumber(d: CalendarDay): number {
  return Date.UTC(d.year, d.month - 1, d.day) / 86_400_000;
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: string, to: string, timeZone?: string): number | null {
  const a = dayOf(from, timeZone);
  const b = dayOf(to, timeZone);
  if (!a || !b) return null;
  return dayNumber(b) - dayNumber(a);
}

/** Calendar days from a past date or instant to today (0 = today). */
export function daysSince(value: string, now: Date = new Date(), timeZone?: string): number | null {
  const then = dayOf(value, timeZone);
  if (!then) return null;
  return dayNumber(calendarDayOf(now, timeZone)) - dayNumber(then);
}

/**
 * "long" always names the year. "short" names it only when the day is not
 * in the current year (in the user's zone): "1月15日(金)" read in November
 * means next January only if it says so, and a date a year back must not
 * pass for one days ago. "plain" names the year without the weekday, for a
 * date inside a sentence.
 */
export type DateStyle = 'long' | 'short' | 'plain';

function dateOptions(style: DateStyle, withYear: boolean): Intl.DateTimeFormatOptions {
  if (style === 'plain') return { year: 'numeric', month: 'short', day: 'numeric' };
  return withYear
    ? { year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' }
    : { month: 'short', day: 'numeric', weekday: 'short' };
}

function needsYear(style: DateStyle, day: CalendarDay, now: Date, timeZone?: string): boolean {
  return style !== 'short' || day.year !== calendarDayOf(now, timeZone).year;
}

/**
 * "2025年3月14日(金)" / "Fri, Mar 14, 2025" (see {@link DateStyle} for when
 * the year shows). An instant is shown on the day it falls in the user's
 * time zone; `now` is for tests.
 */
export function formatDate(
  value: string,
  lang: Language,
  style: DateStyle = 'long',
  timeZone?: string,
  now: Date = new Date(),
): string {
  const plain = parseDateOnly(value);
  if (plain) {
    // Format the calendar day at UTC noon in UTC so no zone can move it.
    const noon = new Date(Date.UTC(plain.year, plain.month - 1, plain.day, 12));
    const options = dateOptions(style, needsYear(style, plain, now, timeZone));
    return new Intl.DateTimeFormat(localeOf(lang), { ...options, timeZone: 'UTC' }).format(noon);
  }
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return value;
  const options = dateOptions(style, needsYear(style, calendarDayOf(instant, timeZone), now, timeZone));
  return new Intl.DateTimeFormat(localeOf(lang), { ...options, timeZone }).format(instant);
}

/** Date and time in the user's zone; a date-only value has no time to show. */
export function formatDateTime(
  value: string,
  lang: Language,
  style: DateStyle = 'short',
  timeZone?: string,
  now: Date = new Date(),
): string {
  if (isDateOnly(value)) return formatDate(value, lang, style, timeZone, now);
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return value;
  return new Intl.DateTimeFormat(localeOf(lang), {
    ...dateOptions(style, needsYear(style, calendarDayOf(instant, timeZone), now, timeZone)),
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(instant);
}

/** Time of day only, e.g. for items due today. */
export function formatTime(value: string, lang: Language, timeZone?: string): string | null {
  if (isDateOnly(value)) return null;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return null;
  return new Intl.DateTimeFormat(localeOf(lang), { hour: '2-digit', minute: '2-digit', timeZone }).format(instant);
}

/** A due date seen from today: "3日後" / "in 3 days", "今日" / "Today", "2日超過" / "2 days overdue". */
export function formatDueDays(days: number, lang: Language): string {
  if (days === 0) return translate(lang, 'relative.today');
  if (days > 0) return translate(lang, 'relative.inDays', { count: days });
  return translate(lang, 'relative.overdueDays', { count: -days });
}

/** How long ago something happened: "3日前" / "3 days ago". */
export function formatDaysAgo(days: number, lang: Language): string {
  // A clock slightly ahead of the team's must not print "in 1 day" for a past touch.
  if (days <= 0) return translate(lang, 'relative.today');
  return translate(lang, 'relative.daysAgo', { count: days });
}

/** Time left on a contract: "あと12日" / "12 days left", or how long it has been over. */
export function formatDaysLeft(days: number, lang: Language): string {
  if (days === 0) return translate(lang, 'relative.today');
  if (days > 0) return translate(lang, 'relative.daysLeft', { count: days });
  return translate(lang, 'relative.endedDaysAgo', { count: -days });
}

/**
 * The next step of a deal or customer as the board words it: "期限超過" /
 * "Overdue", "今日" / "Today", "次の予定: 11月30日(月)" / "Next: Mon, Nov 30",
 * or "次の予定なし" when nothing is planned. One wording for the board card
 * and the customer page, so both call the same date overdue.
 */
export function formatNextStep(step: NextStep | DueState, dueAt: string | null, lang: Language): string {
  switch (step) {
    case 'overdue':
      return translate(lang, 'board.overdue');
    case 'today':
      return translate(lang, 'board.today');
    case 'none':
      return translate(lang, 'board.noNextStep');
    case 'upcoming':
      return dueAt ? translate(lang, 'board.nextStep', { date: formatDate(dueAt, lang, 'short') }) : '';
  }
}
