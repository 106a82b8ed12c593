import { describe, expect, it } from 'vitest';
import { touches, type Entity } from './changes';
import type { ChangeBatch } from './generated/ChangeBatch';

const change = (entity: Entity, entity_id: string, user_id: string | null = 'u1') => ({
  seq: 1,
  entity,
  entity_id,
  op: 'update',
  user_id,
  at: '2026-11-26T00:00:00Z',
});
const batch = (...changes: ReturnType<typeof change>[]): ChangeBatch => ({ changes, overflow: false });

describe('touches', () => {
  it('matches a view by the kinds of record it shows', () => {
    expect(touches(batch(change('deal', 'd1')), ['deal', 'stage'])).toBe(true);
    expect(touches(batch(change('follow_up', 'f1')), ['deal', 'stage'])).toBe(false);
  });

  it('narrows to the records a view shows when it names them', () => {
    const b = batch(change('company', 'c2'));
    expect(touches(b, ['company'], new Set(['c1']))).toBe(false);
    expect(touches(b, ['company'], new Set(['c1', 'c2']))).toBe(true);
  });

  it('treats an overflowing batch as touching everything', () => {
    expect(touches({ changes: [], overflow: true }, ['contract'], new Set())).toBe(true);
  });
});
