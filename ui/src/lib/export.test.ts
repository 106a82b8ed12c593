import { describe, expect, it } from 'vitest';
import { exportFileName, fileFilter, formatsFor, unencodableAt } from './export';

describe('export', () => {
  it('offers a calendar only for follow-ups and contracts', () => {
    expect(formatsFor('customers')).toEqual(['xlsx', 'csv']);
    expect(formatsFor('follow_ups')).toEqual(['xlsx', 'csv', 'ics']);
    expect(formatsFor('contracts')).toContain('ics');
  });

  it('suggests a dated file name with the format as extension', () => {
    expect(exportFileName('顧客', 'xlsx', new Date(2026, 11, 1))).toBe('顧客_20261201.xlsx');
    expect(fileFilter('ics')).toEqual({ name: 'iCalendar', extensions: ['ics'] });
  });

  it('reads where a Shift_JIS export stopped, and nothing from other errors', () => {
    const at = { row: 12, column: '会社名', character: '𠮷' };
    expect(unencodableAt({ code: 'unencodable', message: '', field: null, reason: null, current: at })).toEqual(at);
    expect(unencodableAt({ code: 'io', message: '', field: null, reason: null, current: at })).toBeNull();
    expect(unencodableAt({ code: 'unencodable', message: '', field: null, reason: null, current: { row: '1' } })).toBeNull();
  });
});
