import { describe, expect, it } from 'vitest';
import { conflictRows, subject } from './outboxEntry';
import type { Entry } from './generated/Entry';

const dealEdit = { title: '新規導入', company_id: 'c1', contact_id: null, amount: 650000, currency: 'JPY', owner_id: null, expected_close: null, notes: '稟議は来週', decision_deadline: null };

describe('outbox entries', () => {
  it('names the work by what the user typed', () => {
    expect(subject({ op: 'update_deal', id: 'd1', version: 2, edit: dealEdit })).toBe('新規導入');
  });

  it('sets a waiting deal edit beside the colleague’s row', () => {
    const entry: Entry = {
      seq: 1,
      op_id: 'x',
      op: { op: 'update_deal', id: 'd1', version: 2, edit: dealEdit },
      queued_at: '2026-11-26T00:00:00Z',
      state: 'conflict',
      error: {
        code: 'conflict',
        message: '',
        field: null,
        reason: null,
        current: { id: 'd1', version: 3, title: '新規導入', amount: 500000, expected_close: null, notes: '稟議は来週' },
      },
    };
    expect(conflictRows(entry, (k) => k)).toEqual([{ key: 'amount', label: 'amount', theirs: '500000', mine: '650000' }]);
  });
});
