import { describe, expect, it } from 'vitest';
import {
  addMonths,
  formatDayInput,
  formatTimeInput,
  monthGrid,
  parseDayInput,
  parseDayTimeInput,
  parseTimeInput,
} from './dateInput';

const today = '2026-11-25';

describe('formatDayInput', () => {
  it('writes a day the UI language’s way, with its weekday', () => {
    expect(formatDayInput('2026-11-30', 'ja')).toBe('2026/11/30 (月)');
    expect(formatDayInput('2026-11-30', 'en')).toBe('30 Nov 2026 (Mon)');
    expect(formatDayInput('2027-01-01', 'ja')).toBe('2027/01/01 (金)');
  });

  it('writes nothing for an empty or unreal day', () => {
    expect(formatDayInput('', 'ja')).toBe('');
    expect(formatDayInput('2026-02-30', 'en')).toBe('');
  });

  it('reads back what it wrote, in both languages', () => {
    for (const day of ['2026-11-30', '2027-01-01', '2028-02-29', '2026-12-31']) {
      for (const lang of ['ja', 'en'] as const) expect(parseDayInput(formatDayInput(day, lang), lang, today)).toBe(day);
    }
  });
});

describe('parseDayInput', () => {
  it('reads the ways a day is written in Japanese forms', () => {
    for (const text of ['2026/11/30', '2026-11-30', '2026.11.30', '20261130', '2026年11月30日', '2026/11/30 (月)', '2026/11/30（月）']) {
      expect(parseDayInput(text, 'ja', today), text).toBe('2026-11-30');
    }
  });

  it('reads full-width digits typed with the IME on', () => {
    expect(parseDayInput('２０２６／１１／３０', 'ja', today)).toBe('2026-11-30');
    expect(parseDayInput('１１月３０日', 'ja', today)).toBe('2026-11-30');
    expect(parseDayInput('２０２６－１１－３０', 'en', today)).toBe('2026-11-30');
  });

  it('takes the current year for a day without one in Japanese', () => {
    expect(parseDayInput('11/30', 'ja', today)).toBe('2026-11-30');
    expect(parseDayInput('1/15', 'ja', today)).toBe('2026-01-15');
    expect(parseDayInput('1月15日', 'ja', '2027-03-01')).toBe('2027-01-15');
  });

  it('reads English with the month as a word, the year optional', () => {
    for (const text of ['30 Nov 2026', '30 November 2026', 'Nov 30, 2026', 'November 30 2026', 'Mon, 30 Nov 2026', '30 Nov', 'nov 30', '30th Nov']) {
      expect(parseDayInput(text, 'en', today), text).toBe('2026-11-30');
    }
  });

  it('reads numeric day and month with the year last only when they cannot be mixed up', () => {
    expect(parseDayInput('11/30/2026', 'en', today)).toBe('2026-11-30');
    expect(parseDayInput('30/11/2026', 'en', today)).toBe('2026-11-30');
    expect(parseDayInput('30/11/2026', 'ja', today)).toBe('2026-11-30');
    // March in the US, April in the UK: refused rather than guessed.
    expect(parseDayInput('3/4/2026', 'en', today)).toBeNull();
    expect(parseDayInput('3/4', 'en', today)).toBeNull();
    expect(parseDayInput('5/5/2026', 'en', today)).toBe('2026-05-05');
    expect(parseDayInput('11/30', 'en', today)).toBe('2026-11-30');
  });

  it('knows today and tomorrow', () => {
    expect(parseDayInput('今日', 'ja', today)).toBe(today);
    expect(parseDayInput('tomorrow', 'en', '2026-12-31')).toBe('2027-01-01');
  });

  it('is empty for an empty field and null for what is not a real day', () => {
    expect(parseDayInput('   ', 'ja', today)).toBe('');
    for (const text of ['2026/2/30', '2026/13/01', '2027/02/29', 'soon', '30 Foo 2026', '2026/11', '12345']) {
      expect(parseDayInput(text, 'ja', today), text).toBeNull();
    }
    expect(parseDayInput('2028/02/29', 'ja', today)).toBe('2028-02-29');
  });
});

describe('times', () => {
  it('writes 24-hour time in Japanese and 12-hour time in English', () => {
    expect(formatTimeInput('19:05', 'ja')).toBe('19:05');
    expect(formatTimeInput('19:05', 'en')).toBe('7:05 PM');
    expect(formatTimeInput('00:30', 'en')).toBe('12:30 AM');
    expect(formatTimeInput('12:00', 'en')).toBe('12:00 PM');
    expect(formatTimeInput('07:00', 'ja')).toBe('07:00');
    expect(formatTimeInput('25:00', 'ja')).toBe('');
  });

  it('reads what people type', () => {
    const cases: [string, string][] = [
      ['19:05', '19:05'],
      ['1905', '19:05'],
      ['905', '09:05'],
      ['9', '09:00'],
      ['7:05 PM', '19:05'],
      ['7:05pm', '19:05'],
      ['7 p.m.', '19:00'],
      ['12 am', '00:00'],
      ['12:15 PM', '12:15'],
      ['19時5分', '19:05'],
      ['19時', '19:00'],
      ['午後7時半', '19:30'],
      ['午前9時', '09:00'],
      ['１９：０５', '19:05'],
    ];
    for (const [text, want] of cases) expect(parseTimeInput(text), text).toBe(want);
    for (const lang of ['ja', 'en'] as const) expect(parseTimeInput(formatTimeInput('23:59', lang))).toBe('23:59');
  });

  it('refuses what is not a time', () => {
    for (const text of ['24:00', '19:60', '13 pm', '0 am', '午後13時', 'noon', '1:2']) expect(parseTimeInput(text), text).toBeNull();
    expect(parseTimeInput('')).toBe('');
  });

  it('reads 24:00 as a closing time at the end of the day, and only that', () => {
    for (const text of ['24:00', '24時', '２４：００', '2400']) expect(parseTimeInput(text, { endOfDay: true }), text).toBe('24:00');
    for (const text of ['24:30', '25:00', '12 am midnight']) expect(parseTimeInput(text, { endOfDay: true }), text).toBeNull();
    for (const lang of ['ja', 'en'] as const) expect(parseTimeInput(formatTimeInput('24:00', lang), { endOfDay: true })).toBe('24:00');
  });

  it('reads a day and a time typed together', () => {
    expect(parseDayTimeInput('2026/11/30 19:05', 'ja', today)).toEqual({ day: '2026-11-30', time: '19:05' });
    expect(parseDayTimeInput('2026-11-30T19:05', 'ja', today)).toEqual({ day: '2026-11-30', time: '19:05' });
    expect(parseDayTimeInput('2026/11/30 (月) 午後7時', 'ja', today)).toEqual({ day: '2026-11-30', time: '19:00' });
    expect(parseDayTimeInput('30 Nov 2026 (Mon) 7:05 PM', 'en', today)).toEqual({ day: '2026-11-30', time: '19:05' });
    expect(parseDayTimeInput('2026/11/30', 'ja', today)).toBeNull();
  });
});

describe('the calendar', () => {
  it('lays a month out in six weeks from Sunday', () => {
    const weeks = monthGrid(2026, 11);
    expect(weeks).toHaveLength(6);
    expect(weeks[0]?.[0]).toBe('2026-11-01'); // a Sunday
    expect(monthGrid(2027, 1)[0]?.slice(0, 6)).toEqual(['2026-12-27', '2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01']);
  });

  it('moves by months without leaving short months', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-15');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
  });
});
