import { describe, expect, it } from 'vitest';
import { compare, theirRow } from './conflict';

describe('compare', () => {
  const fields = [
    { key: 'title', label: '案件名' },
    { key: 'amount', label: '金額' },
    { key: 'owner_id', label: '担当者', show: (v: unknown) => (v === 'u1' ? '佐藤' : v === 'u2' ? '鈴木' : '—') },
  ];

  it('lists only the fields that differ, as people read them', () => {
    const theirs = { title: '新規導入', amount: 500000, owner_id: 'u2', version: 3 };
    const mine = { title: '新規導入', amount: 650000, owner_id: 'u1' };
    expect(compare(fields, theirs, mine)).toEqual([
      { key: 'amount', label: '金額', theirs: '500000', mine: '650000' },
      { key: 'owner_id', label: '担当者', theirs: '鈴木', mine: '佐藤' },
    ]);
  });

  it('treats empty and missing alike', () => {
    expect(compare([{ key: 'notes', label: 'メモ' }], { notes: null }, { notes: '' })).toEqual([]);
  });
});

describe('theirRow', () => {
  it('accepts a row with a version and nothing else', () => {
    expect(theirRow({ id: 'd1', version: 4 })?.version).toBe(4);
    expect(theirRow(null)).toBeNull();
    expect(theirRow({ id: 'd1' })).toBeNull();
    expect(theirRow('conflict')).toBeNull();
  });
});
