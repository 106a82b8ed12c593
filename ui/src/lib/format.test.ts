import { describe, expect, it } from 'vitest';
import {
  calendarDaysBetween,
  daysSince,
  formatDate,
  formatDaysAgo,
  formatDaysLeft,
  formatDueDays,
  formatMoney,
  minorUnits,
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

  it('drops the year in the short style', () => {
    expect(formatDate('2025-03-14', 'ja', 'short')).toBe('3月14日(金)');
    expect(formatDate('2025-03-14', 'en', 'short')).toBe('Fri, Mar 14');
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
