import type { Language } from './generated/Language';

// Date and time fields of our own (components/DateInput.svelte …). The
// webview's <input type="date|time|datetime-local"> is drawn by the
// operating system's locale, not the UI language: WebKitGTK shows
// "11/30/2026, 07:05 PM" to a Japanese user whose system is en_US. These
// functions are the text side of our fields: how a value is written in each
// language, and what people may type. Values stay ISO ("2026-11-30",
// "19:05"), exactly what the native inputs produced, so forms and the engine
// do not change.
//
// Written forms:
//   ja  2026/11/30 (月)   19:05       (how Japanese forms write dates; 24-hour clock)
//   en  30 Nov 2026 (Mon) 7:05 PM     (the month as a word: "11/30" reads one way in
//                                      the US and another in the UK, "30 Nov" in both)

/** A calendar day as ISO text, "YYYY-MM-DD". */
export type IsoDay = string;
/** A time of day as "HH:MM" (24-hour). */
export type IsoTime = string;

const pad = (n: number): string => String(n).padStart(2, '0');

export function isoDay(year: number, month: number, day: number): IsoDay {
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** Year, month (1–12) and day of an ISO day; null unless it is a real day. */
export function splitDay(value: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return realDay(year, month, day) ? { year, month, day } : null;
}

function realDay(year: number, month: number, day: number): boolean {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The weekday (0 = Sunday) of an ISO day. */
export function weekday(value: IsoDay): number {
  const d = splitDay(value);
  return d ? new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() : 0;
}

/** The ISO day `days` after `value` (before, when negative). */
export function addDays(value: IsoDay, days: number): IsoDay {
  const d = splitDay(value);
  if (!d) return value;
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return isoDay(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

/** The same day `months` later, kept inside shorter months (31 Jan + 1 → 28/29 Feb). */
export function addMonths(value: IsoDay, months: number): IsoDay {
  const d = splitDay(value);
  if (!d) return value;
  const first = new Date(Date.UTC(d.year, d.month - 1 + months, 1));
  const year = first.getUTCFullYear();
  const month = first.getUTCMonth() + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return isoDay(year, month, Math.min(d.day, last));
}

/** Today in this computer's zone (the user's). */
export function todayIso(now: Date = new Date()): IsoDay {
  return isoDay(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

export const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const MONTH_NAMES_EN = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
] as const;
export const WEEKDAYS: Record<Language, readonly string[]> = {
  ja: ['日', '月', '火', '水', '木', '金', '土'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};

/** "2026/11/30 (月)" / "30 Nov 2026 (Mon)"; "" for an empty or unreadable value. */
export function formatDayInput(value: string, lang: Language): string {
  const d = splitDay(value);
  if (!d) return '';
  const wd = WEEKDAYS[lang][weekday(value)];
  return lang === 'ja'
    ? `${d.year}/${pad(d.month)}/${pad(d.day)} (${wd})`
    : `${d.day} ${MONTHS_EN[d.month - 1]} ${d.year} (${wd})`;
}

/** "2026年11月" / "November 2026", the calendar's heading. */
export function formatMonthHeading(year: number, month: number, lang: Language): string {
  if (lang === 'ja') return `${year}年${month}月`;
  const name = MONTH_NAMES_EN[month - 1] ?? '';
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} ${year}`;
}

/** What the field shows as an example of its format. */
export function dayPlaceholder(lang: Language): string {
  return lang === 'ja' ? '例 2026/11/30' : 'e.g. 30 Nov 2026';
}

export function timePlaceholder(lang: Language): string {
  return lang === 'ja' ? '例 19:05' : 'e.g. 7:05 PM';
}

/**
 * Full-width digits and punctuation (typed with the IME on) as ASCII, lower
 * case, spaces squeezed; a trailing weekday in brackets — which our own
 * formatted text carries — dropped.
 */
function plain(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\([^)]*\)\s*$/, '')
    .trim();
}

function monthOfName(word: string): number | null {
  const w = word.replace(/\.$/, '');
  if (w.length < 3) return null;
  const i = MONTH_NAMES_EN.findIndex((m) => m.startsWith(w));
  return i < 0 ? null : i + 1;
}

const WEEKDAY_WORD = /^(sun|mon|tue|wed|thu|fri|sat)[a-z]*\.?,?\s+/;

/**
 * A day as people type it, read in `lang`; `today` fills in a missing year
 * and answers "today" / "今日". Returns the ISO day, "" for an empty field,
 * or null when the text is not a real day.
 *
 * Both languages: 2026/11/30, 2026-11-30, 2026.11.30, 20261130,
 * 2026年11月30日, 30 Nov 2026, Nov 30, 2026, full-width digits, a weekday
 * before or after. Without the year (current year): 11/30 and 11月30日 in
 * Japanese; 30 Nov / Nov 30 in both. Day and month as numbers with the year
 * last (11/30/2026, 30/11/2026) only when they cannot be mixed up (one of
 * them above 12): 3/4/2026 is March in the US and April in the UK.
 */
export function parseDayInput(text: string, lang: Language, today: IsoDay = todayIso()): IsoDay | '' | null {
  const t = plain(text).replace(WEEKDAY_WORD, '');
  if (t === '') return '';
  const year = splitDay(today)?.year ?? new Date().getFullYear();
  const day = (y: number, m: number, d: number): IsoDay | null => (realDay(y, m, d) ? isoDay(y, m, d) : null);
  let m: RegExpExecArray | null;

  if (t === 'today' || t === '今日' || t === 'きょう') return today;
  if (t === 'tomorrow' || t === '明日' || t === 'あした') return addDays(today, 1);
  if ((m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t))) {
    return day(Number(m[1]), Number(m[2]), Number(m[3]));
  }
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) return day(Number(m[1]), Number(m[2]), Number(m[3]));
  if ((m = /^(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/.exec(t))) return day(year, Number(m[1]), Number(m[2]));
  if ((m = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})$/.exec(t))) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (lang === 'ja') return day(year, a, b);
    return unambiguous(a, b, year);
  }
  if ((m = /^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$/.exec(t))) {
    return unambiguous(Number(m[1]), Number(m[2]), Number(m[3]));
  }
  // 30 Nov 2026, 30 November, 30-Nov-2026
  if ((m = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+\.?)[\s,-]*(\d{4})?$/.exec(t))) {
    const month = monthOfName(m[2] ?? '');
    return month ? day(m[3] ? Number(m[3]) : year, month, Number(m[1])) : null;
  }
  // Nov 30, 2026 / November 30
  if ((m = /^([a-z]+\.?)\s*(\d{1,2})(?:st|nd|rd|th)?(?:[\s,]+(\d{4}))?$/.exec(t))) {
    const month = monthOfName(m[1] ?? '');
    return month ? day(m[3] ? Number(m[3]) : year, month, Number(m[2])) : null;
  }
  return null;

  function unambiguous(a: number, b: number, y: number): IsoDay | null {
    if (a > 12 && b <= 12) return day(y, b, a);
    if (b > 12 && a <= 12) return day(y, a, b);
    if (a === b) return day(y, a, b);
    return null;
  }
}

/** "19:05" / "7:05 PM"; "" for an empty or unreadable value. */
export function formatTimeInput(value: string, lang: Language): string {
  // The end of the day (a closing time only) reads the same in both languages.
  if (value === '24:00') return '24:00';
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  if (!m) return '';
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return '';
  if (lang === 'ja') return `${pad(h)}:${pad(min)}`;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}:${pad(min)} ${h < 12 ? 'AM' : 'PM'}`;
}

/**
 * A time of day as people type it, in either language: 19:05, 1905, 905,
 * 7:05 pm, 7pm, 19時5分, 午後7時半, 午前9時, full-width digits. Returns
 * "HH:MM", "" for an empty field, or null. With `endOfDay`, "24:00" (or
 * 24時) is read too: a closing time at midnight, the end of the day.
 */
export function parseTimeInput(text: string, { endOfDay = false }: { endOfDay?: boolean } = {}): IsoTime | '' | null {
  let t = plain(text).replace(/\s+/g, '');
  if (t === '') return '';
  let half: 'am' | 'pm' | null = null;
  const ja = /^(午前|午後)/.exec(t);
  if (ja) {
    half = ja[1] === '午前' ? 'am' : 'pm';
    t = t.slice(ja[0].length);
  }
  const en = /(a\.?m\.?|p\.?m\.?)$/.exec(t);
  if (en) {
    if (half) return null;
    half = en[1]?.startsWith('a') ? 'am' : 'pm';
    t = t.slice(0, en.index);
  }
  let m: RegExpExecArray | null;
  let h: number;
  let min = 0;
  if ((m = /^(\d{1,2})[:.](\d{2})$/.exec(t))) [h, min] = [Number(m[1]), Number(m[2])];
  else if ((m = /^(\d{1,2})時(?:(\d{1,2})分?|(半))?$/.exec(t))) [h, min] = [Number(m[1]), m[3] ? 30 : Number(m[2] ?? 0)];
  else if ((m = /^(\d{1,2})(\d{2})$/.exec(t))) [h, min] = [Number(m[1]), Number(m[2])];
  else if ((m = /^(\d{1,2})$/.exec(t))) h = Number(m[1]);
  else return null;
  if (half) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (half === 'pm' ? 12 : 0);
  }
  if (endOfDay && !half && h === 24 && min === 0) return '24:00';
  if (h > 23 || min > 59) return null;
  return `${pad(h)}:${pad(min)}`;
}

/** A date and a time typed in one field ("2026/11/30 19:05", "2026-11-30T19:05"). */
export function parseDayTimeInput(
  text: string,
  lang: Language,
  today: IsoDay = todayIso(),
): { day: IsoDay; time: IsoTime } | null {
  const t = text.normalize('NFKC').trim();
  const m = /^(.*?\d)(?:\s*\([^)]*\))?(?:\s+|T)(午前|午後)?\s*(\d{1,2}\s*[:時].*|\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.))$/i.exec(t);
  if (!m) return null;
  const day = parseDayInput(m[1] ?? '', lang, today);
  const time = parseTimeInput(`${m[2] ?? ''}${m[3] ?? ''}`);
  return day && time ? { day, time } : null;
}

/** "YYYY-MM-DDTHH:MM" (what a datetime-local input held) from its parts. */
export function joinDayTime(day: IsoDay, time: IsoTime): string {
  return day && time ? `${day}T${time}` : '';
}

export function splitDayTime(value: string): { day: IsoDay; time: IsoTime } {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
  return m ? { day: m[1] ?? '', time: m[2] ?? '' } : { day: '', time: '' };
}

/** The weeks of a month as the calendar shows them: Sunday first, days of the neighbours included. */
export function monthGrid(year: number, month: number): IsoDay[][] {
  const first = isoDay(year, month, 1);
  let cursor = addDays(first, -weekday(first));
  const weeks: IsoDay[][] = [];
  for (let w = 0; w < 6; w++) {
    const week: IsoDay[] = [];
    for (let d = 0; d < 7; d++) {
      week.push(cursor);
      cursor = addDays(cursor, 1);
    }
    weeks.push(week);
  }
  return weeks;
}
