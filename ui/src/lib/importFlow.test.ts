import { describe, expect, it } from 'vitest';
import { mapColumn, percent, previewKey, rowsToWrite, splitDuration } from './importFlow';
import type { ImportPreview } from './generated/ImportPreview';

const preview = (over: Partial<ImportPreview['counts']>, missing: ImportPreview['missing'] = []): ImportPreview => ({
  fields: [],
  rows: [],
  missing,
  counts: { total: 10, new: 0, update: 0, skip_existing: 0, skip_duplicate: 0, errors: 0, ...over },
});

describe('the import mapping', () => {
  it('gives a field to one column only', () => {
    expect(mapColumn(['company_name', null, 'phone'], 1, 'company_name')).toEqual([null, 'company_name', 'phone']);
    expect(mapColumn(['company_name', null, 'phone'], 2, null)).toEqual(['company_name', null, null]);
  });

  it('asks for a new dry run when the mapping or the options changed', () => {
    const a = previewKey(['company_name'], 0, 'skip', '{}');
    expect(previewKey(['company_name'], 0, 'skip', '{}')).toBe(a);
    expect(previewKey(['industry'], 0, 'skip', '{}')).not.toBe(a);
    expect(previewKey(['company_name'], 1, 'skip', '{}')).not.toBe(a);
    expect(previewKey(['company_name'], 0, 'update', '{}')).not.toBe(a);
  });

  it('imports only new and updated rows, and nothing while a required column is unmapped', () => {
    expect(rowsToWrite(preview({ new: 3, update: 2, errors: 4 }))).toBe(5);
    expect(rowsToWrite(preview({ new: 3 }, ['company_name']))).toBe(0);
  });
});

describe('the import progress', () => {
  it('tells seconds and minutes', () => {
    expect(splitDuration(4.2)).toEqual({ n: 5 });
    expect(splitDuration(125)).toEqual({ m: 2, s: 5 });
    expect(splitDuration(-1)).toEqual({ n: 0 });
  });

  it('is a percentage of the rows', () => {
    expect(percent({ done: 50, total: 200 })).toBe(25);
    expect(percent({ done: 0, total: 0 })).toBe(100);
  });
});
