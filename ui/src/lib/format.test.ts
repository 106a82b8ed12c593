import { describe, expect, it } from 'vitest';
import {
  calendarDaysBetween,
  daysSince,
  formatDate,
  formatDateTime,
  formatDaysAgo,
  formatDaysLeft,
  formatDueDays,
  formatMoney,
  formatNextStep,
  minorUnits,
  moneyInput,
  parseMoney,
} from './format';

describe('formatMoney', () => {
  it('shows yen without decimals and with the half-width sign in Japanese', () => {
    const text = formatMoney(1_250_000, 'JPY', 'ja');
    expect(text).toBe('¥1,250,000');
    expect(text).not.toContain('￥');
  });

  it('shows yen the same way in English', () => {
    expect(formatMoney(1_250_000, 'JPY', 'en')).toBe('¥1,250,000');
  });

  it('treats an empty or lower-case code as yen / the upper-case code', () => {
    expect(formatMoney(500, '', 'en')).toBe('¥500');
    expect(formatMoney(500, ' jpy ', 'ja')).toBe('¥500');
  });

  it('reads USD amounts as cents', () => {
    expect(minorUnits('USD')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(formatMoney(12_345, 'USD', 'en')).toBe('$123.45');
    expect(formatMoney(12_345, 'usd', 'ja')).toBe('$123.45');
    expect(formatMoney(100, 'USD', 'en')).toBe('$1.00');
  });

  it('falls back to number and code for a malformed currency instead of throwing', () => {
    expect(() => formatMoney(12_345, 'US D', 'en')).not.toThrow();
    expect(formatMoney(12_345, 'US D', 'en')).toBe('123.45 US D');
    expect(formatMoney(123_456_789, 'US D', 'ja')).toBe('1,234,567.89 US D');
  });
});

describe('money in a form field', () => {
  it('shows an amount for editing in the currency\'s main unit', () => {
    expect(moneyInput(1_234_500, 'JPY')).toBe('1234500');
    expect(moneyInput(1_234_567, 'USD')).toBe('12345.67');
    expect(moneyInput(5, 'USD')).toBe('0.05');
  });

  it('reads it back in minor units, whatever the width of the digits', () => {
    expect(parseMoney('1,234,500', 'JPY')).toBe(1_234_500);
    expect(parseMoney('¥１２３４', 'JPY')).toBe(1234);
    expect(parseMoney('12,345.67', 'USD')).toBe(1_234_567);
    expect(parseMoney('$12345.6', 'USD')).toBe(1_234_560);
    expect(parseMoney('12345', 'usd')).toBe(1_234_500);
    expect(parseMoney('', 'USD')).toBe(0);
    for (const [amount, currency] of [[1_234_500, 'JPY'], [1_234_567, 'USD'], [0, 'EUR']] as const) {
      expect(parseMoney(moneyInput(amount, currency), currency)).toBe(amount);
    }
  });

  it('refuses what it would have to guess', () => {
    expect(parseMoney('1.5', 'JPY')).toBeNull();
    expect(parseMoney('1.234', 'USD')).toBeNull();
    expect(parseMoney('120万', 'JPY')).toBeNull();
    expect(parseMoney('-5', 'JPY')).toBeNull();
    expect(parseMoney('99999999999999999999', 'JPY')).toBeNull();
  });
});

describe('calendarDaysBetween', () => {
  // 15:30 UTC on 14 March is 00:30 on 15 March in Tokyo.
  const lateUtc = '2025-03-14T15:30:00Z';
  const nextEvening = '2025-03-15T14:00:00Z'; // 23:00 on the 15th in Tokyo

  it('counts calendar days in the given zone, not 24-hour periods', () => {
    expect(calendarDaysBetween(lateUtc, nextEvening, 'Asia/Tokyo')).toBe(0);
    expect(calendarDaysBetween(lateUtc, nextEvening, 'UTC')).toBe(1);
  });

  it('counts a few minutes across midnight as one day', () => {
    // 14:59 UTC = 23:59 JST on the 14th, 15:01 UTC = 00:01 JST on the 15th.
    expect(calendarDaysBetween('2025-03-14T14:59:00Z', '2025-03-14T15:01:00Z', 'Asia/Tokyo')).toBe(1);
    expect(calendarDaysBetween('2025-03-14T14:59:00Z', '2025-03-14T15:01:00Z', 'UTC')).toBe(0);
  });

  it('is negative when the second value is earlier', () => {
    expect(calendarDaysBetween('2025-03-20', '2025-03-14')).toBe(-6);
  });

  it('never shifts date-only values, whatever the zone', () => {
    for (const zone of ['Asia/Tokyo', 'UTC', 'America/Los_Angeles', 'Pacific/Kiritimati']) {
      expect(calendarDaysBetween('2025-03-14', '2025-03-15', zone)).toBe(1);
      expect(calendarDaysBetween('2025-02-28', '2025-03-01', zone)).toBe(1);
      expect(calendarDaysBetween('2024-02-28', '2024-03-01', zone)).toBe(2);
    }
  });

  it('compares a date-only value with the day an instant falls on in the zone', () => {
    expect(calendarDaysBetween('2025-03-14', lateUtc, 'Asia/Tokyo')).toBe(1);
    expect(calendarDaysBetween('2025-03-14', lateUtc, 'UTC')).toBe(0);
  });

  it('returns null for a value that is not a date', () => {
    expect(calendarDaysBetween('not a date', '2025-03-14')).toBeNull();
    expect(calendarDaysBetween('2025-03-14', '')).toBeNull();
  });
});

describe('daysSince', () => {
  const now = new Date('2025-03-14T15:30:00Z'); // 15 March 00:30 in Tokyo

  it('uses today in the given zone', () => {
    expect(daysSince('2025-03-14', now, 'Asia/Tokyo')).toBe(1);
    expect(daysSince('2025-03-14', now, 'UTC')).toBe(0);
    expect(daysSince('2025-03-14T10:00:00Z', now, 'Asia/Tokyo')).toBe(1);
    expect(daysSince('2025-03-14T10:00:00Z', now, 'UTC')).toBe(0);
  });

  it('does not read a date-only value as UTC midnight', () => {
    // 13:00 on 14 March in Los Angeles; parsed as an instant, "2025-03-14"
    // would be 17:00 on the 13th there and give 1.
    const afternoonLa = new Date('2025-03-14T20:00:00Z');
    expect(daysSince('2025-03-14', afternoonLa, 'America/Los_Angeles')).toBe(0);
    expect(daysSince('2025-03-10', afternoonLa, 'America/Los_Angeles')).toBe(4);
  });

  it('is negative for a future day and null for garbage', () => {
    expect(daysSince('2025-03-20', now, 'UTC')).toBe(-6);
    expect(daysSince('yesterday', now, 'UTC')).toBeNull();
  });
});

describe('formatDate', () => {
  it('formats a date-only value in Japanese and English', () => {
    expect(formatDate('2025-03-14', 'ja')).toBe('2025年3月14日(金)');
    expect(formatDate('2025-03-14', 'en')).toBe('Fri, Mar 14, 2025');
  });

  it('drops the year in the short style only within the current year', () => {
    const inMarch = new Date('2025-03-01T03:00:00Z');
    expect(formatDate('2025-03-14', 'ja', 'short', 'Asia/Tokyo', inMarch)).toBe('3月14日(金)');
    expect(formatDate('2025-03-14', 'en', 'short', 'Asia/Tokyo', inMarch)).toBe('Fri, Mar 14');
    expect(formatDate('2024-03-14', 'ja', 'short', 'Asia/Tokyo', inMarch)).toBe('2024年3月14日(木)');
    expect(formatDate('2026-03-14', 'en', 'short', 'Asia/Tokyo', inMarch)).toBe('Sat, Mar 14, 2026');
  });

  it('keeps a date-only value on its day in any zone', () => {
    for (const zone of ['Asia/Tokyo', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      expect(formatDate('2025-03-14', 'en', 'long', zone)).toBe('Fri, Mar 14, 2025');
      expect(formatDate('2025-01-01', 'ja', 'long', zone)).toBe('2025年1月1日(水)');
    }
  });

  it('shows an instant on the day it falls in the zone', () => {
    expect(formatDate('2025-03-14T16:00:00Z', 'ja', 'long', 'Asia/Tokyo')).toBe('2025年3月15日(土)');
    expect(formatDate('2025-03-14T16:00:00Z', 'ja', 'long', 'UTC')).toBe('2025年3月14日(金)');
  });

  it('returns an unparseable value unchanged', () => {
    expect(formatDate('soon', 'en')).toBe('soon');
  });
});

describe('the year around the turn of the year', () => {
  // The examples, read on 25 November 2026 in Tokyo.
  const november = new Date('2026-11-25T01:00:00Z');

  it('names the year of a renewal period that ends next year', () => {
    const start = formatDate('2027-01-15', 'ja', 'short', 'Asia/Tokyo', november);
    const end = formatDate('2028-01-14', 'ja', 'short', 'Asia/Tokyo', november);
    expect(`${start} 〜 ${end}`).toBe('2027年1月15日(金) 〜 2028年1月14日(金)');
    expect(formatDate('2027-01-15', 'en', 'short', 'Asia/Tokyo', november)).toBe('Fri, Jan 15, 2027');
  });

  it('tells next year\'s hearing apart from an overdue one this year', () => {
    expect(formatDate('2027-11-15', 'ja', 'short', 'Asia/Tokyo', november)).toBe('2027年11月15日(月)');
    expect(formatDate('2026-11-15', 'ja', 'short', 'Asia/Tokyo', november)).toBe('11月15日(日)');
  });

  it('judges "this year" in the user\'s zone, for instants and for plain days', () => {
    // 15:30 UTC on 31 December is already 1 January in Tokyo.
    const newYearTokyo = new Date('2026-12-31T15:30:00Z');
    expect(formatDate('2027-01-01', 'ja', 'short', 'Asia/Tokyo', newYearTokyo)).toBe('1月1日(金)');
    expect(formatDate('2027-01-01', 'ja', 'short', 'UTC', newYearTokyo)).toBe('2027年1月1日(金)');
    expect(formatDate('2026-12-31', 'ja', 'short', 'Asia/Tokyo', newYearTokyo)).toBe('2026年12月31日(木)');
    // An instant at 00:30 on 1 January in Tokyo, read on 31 December in UTC.
    expect(formatDate('2026-12-31T15:30:00Z', 'en', 'short', 'Asia/Tokyo', newYearTokyo)).toBe('Fri, Jan 1');
    expect(formatDate('2026-12-31T15:30:00Z', 'en', 'short', 'UTC', newYearTokyo)).toBe('Thu, Dec 31');
  });

  it('does the same for date and time', () => {
    const due = '2027-01-05T00:00:00Z'; // 09:00 on 5 January in Tokyo
    expect(formatDateTime(due, 'ja', 'short', 'Asia/Tokyo', november)).toBe('2027年1月5日(火) 09:00');
    expect(formatDateTime(due, 'en', 'short', 'Asia/Tokyo', november)).toBe('Tue, Jan 5, 2027, 09:00 AM');
    expect(formatDateTime('2026-12-05T00:00:00Z', 'ja', 'short', 'Asia/Tokyo', november)).toBe('12月5日(土) 09:00');
    expect(formatDateTime('2025-12-05T00:00:00Z', 'ja', 'long', 'Asia/Tokyo', november)).toBe('2025年12月5日(金) 09:00');
  });
});

describe('relative day wording', () => {
  it('formatDueDays', () => {
    expect(formatDueDays(0, 'ja')).toBe('今日');
    expect(formatDueDays(0, 'en')).toBe('Today');
    expect(formatDueDays(3, 'ja')).toBe('3日後');
    expect(formatDueDays(1, 'en')).toBe('in 1 day');
    expect(formatDueDays(3, 'en')).toBe('in 3 days');
    expect(formatDueDays(-1, 'en')).toBe('1 day overdue');
    expect(formatDueDays(-2, 'en')).toBe('2 days overdue');
    expect(formatDueDays(-2, 'ja')).toBe('2日超過');
  });

  it('formatDaysAgo, with today for zero and for a clock slightly ahead', () => {
    expect(formatDaysAgo(0, 'en')).toBe('Today');
    expect(formatDaysAgo(-1, 'en')).toBe('Today');
    expect(formatDaysAgo(-1, 'ja')).toBe('今日');
    expect(formatDaysAgo(1, 'en')).toBe('1 day ago');
    expect(formatDaysAgo(3, 'en')).toBe('3 days ago');
    expect(formatDaysAgo(3, 'ja')).toBe('3日前');
  });

  it('formatDaysLeft', () => {
    expect(formatDaysLeft(0, 'ja')).toBe('今日');
    expect(formatDaysLeft(12, 'ja')).toBe('あと12日');
    expect(formatDaysLeft(1, 'en')).toBe('1 day left');
    expect(formatDaysLeft(12, 'en')).toBe('12 days left');
    expect(formatDaysLeft(-1, 'en')).toBe('ended 1 day ago');
    expect(formatDaysLeft(-5, 'en')).toBe('ended 5 days ago');
    expect(formatDaysLeft(-5, 'ja')).toBe('5日経過');
  });

  it('groups large counts with the language’s separator', () => {
    expect(formatDaysAgo(1200, 'en')).toBe('1,200 days ago');
    expect(formatDaysAgo(1200, 'ja')).toBe('1,200日前');
  });
});

describe('formatNextStep', () => {
  it('words a next step the same for the board card and the customer page', () => {
    expect(formatNextStep('overdue', '2026-11-28T01:00:00Z', 'ja')).toBe('期限超過');
    expect(formatNextStep('overdue', '2026-11-28T01:00:00Z', 'en')).toBe('Overdue');
    expect(formatNextStep('today', null, 'ja')).toBe('今日');
    expect(formatNextStep('none', null, 'en')).toBe('No next step');
    expect(formatNextStep('upcoming', '2026-11-30', 'ja')).toBe('次の予定: 11月30日(月)');
    expect(formatNextStep('upcoming', null, 'ja')).toBe('');
  });
});
