import { describe, expect, it } from 'vitest';
import {
  appendPage,
  confirmsName,
  disclosureFileName,
  emptyFilter,
  isManager,
  periodInverted,
  queryFor,
  valueText,
} from './audit';
import type { AuditEntry } from './generated/AuditEntry';

function entry(id: string): AuditEntry {
  return {
    id,
    at: '2026-11-25T01:00:00Z',
    member_id: 'u1',
    member_name: '田中 太郎',
    entity: 'contact',
    record_id: 'c1',
    record_label: '山本 恵',
    company_id: 'co1',
    company_name: '株式会社青空',
    action: 'update',
    fields: [],
  };
}

describe('the audit trail query', () => {
  it('sends only the filters that are set, trimmed', () => {
    const q = queryFor({ ...emptyFilter(), memberId: 'u1', companyId: ' co1 ', from: '2026-11-01' });
    expect(q).toEqual({
      member_id: 'u1',
      entity: null,
      record_id: null,
      company_id: 'co1',
      from: '2026-11-01',
      to: null,
      before: null,
      limit: 50,
    });
  });

  it('pages on from the cursor it was given', () => {
    const q = queryFor(emptyFilter(), { at: '2026-11-25T01:00:00Z', id: 'a9' }, 20);
    expect(q.before).toEqual({ at: '2026-11-25T01:00:00Z', id: 'a9' });
    expect(q.limit).toBe(20);
  });

  it('says a period that ends before it starts is empty', () => {
    expect(periodInverted({ ...emptyFilter(), from: '2026-11-10', to: '2026-11-01' })).toBe(true);
    expect(periodInverted({ ...emptyFilter(), from: '2026-11-01', to: '2026-11-01' })).toBe(false);
    expect(periodInverted({ ...emptyFilter(), from: '2026-11-01' })).toBe(false);
  });

  it('appends a page without showing an entry twice', () => {
    const shown = [entry('a3'), entry('a2')];
    const next = appendPage(shown, { entries: [entry('a2'), entry('a1')], next: null });
    expect(next.map((e) => e.id)).toEqual(['a3', 'a2', 'a1']);
  });
});

describe('values before and after', () => {
  it('reads as text', () => {
    expect(valueText(null, '（なし）')).toBe('（なし）');
    expect(valueText('', '（なし）')).toBe('（なし）');
    expect(valueText('部長', '-')).toBe('部長');
    expect(valueText(1200000, '-')).toBe('1200000');
    expect(valueText(true, '-', 'はい', 'いいえ')).toBe('はい');
    expect(valueText(['sales', 'manager'], '-')).toBe('sales、manager');
    expect(valueText({ erased: true }, '-')).toBe('{"erased":true}');
  });
});

describe('who may', () => {
  it('is a manager', () => {
    expect(isManager(['sales', 'manager'])).toBe(true);
    expect(isManager(['sales', 'support'])).toBe(false);
    expect(isManager(null)).toBe(false);
  });
});

describe('erasing a person', () => {
  it('is confirmed by the name typed, spaces and width aside', () => {
    expect(confirmsName('鷲頭瑠璃子', '鷲頭 瑠璃子')).toBe(true);
    expect(confirmsName(' 鷲頭　瑠璃子 ', '鷲頭 瑠璃子')).toBe(true);
    expect(confirmsName('ＡＢＣ', 'abc')).toBe(true);
    expect(confirmsName('鷲頭', '鷲頭 瑠璃子')).toBe(false);
    expect(confirmsName('', '')).toBe(false);
  });

  it('suggests a file name a folder accepts', () => {
    expect(disclosureFileName('開示', '鷲頭 瑠璃子', new Date(2026, 11, 1))).toBe('開示_鷲頭瑠璃子_20261201.xlsx');
    expect(disclosureFileName('Disclosure', 'A/B:C', new Date(2026, 0, 5))).toBe('Disclosure_ABC_20260105.xlsx');
  });
});
