import { describe, expect, it } from 'vitest';
import type { RenewalItem } from './generated/RenewalItem';
import { groupRenewals, RENEWAL_BUCKETS, renewalBucket } from './renewals';

function item(id: string, daysLeft: number): RenewalItem {
  return {
    id,
    company_id: `c-${id}`,
    company_name: `Company ${id}`,
    plan: 'Standard',
    end_date: '2025-04-01',
    days_left: daysLeft,
    amount: 100_000,
    currency: 'JPY',
    billing: 'annual',
    auto_renew: false,
    status: 'active',
    owner_name: null,
  };
}

describe('renewalBucket', () => {
  it.each([
    [-1, 'past'],
    [-400, 'past'],
    [0, 'under30'],
    [29, 'under30'],
    [30, 'from30to60'],
    [60, 'from30to60'],
    [61, 'over60'],
    [90, 'over60'],
  ] as const)('%i days left → %s', (days, bucket) => {
    expect(renewalBucket(days)).toBe(bucket);
  });
});

describe('groupRenewals', () => {
  it('puts every item in its bucket, soonest first, and keeps empty buckets', () => {
    const groups = groupRenewals([
      item('a', 61),
      item('b', 29),
      item('c', -1),
      item('d', 0),
      item('e', 60),
      item('f', 30),
      item('g', -10),
      item('h', 15),
    ]);
    const ids = (bucket: keyof typeof groups): string[] => groups[bucket].map((i) => i.id);
    expect(ids('past')).toEqual(['g', 'c']);
    expect(ids('under30')).toEqual(['d', 'h', 'b']);
    expect(ids('from30to60')).toEqual(['f', 'e']);
    expect(ids('over60')).toEqual(['a']);
  });

  it('returns all four buckets, in display order, even when empty', () => {
    expect(RENEWAL_BUCKETS).toEqual(['past', 'under30', 'from30to60', 'over60']);
    const groups = groupRenewals([]);
    expect(Object.keys(groups).sort()).toEqual([...RENEWAL_BUCKETS].sort());
    for (const bucket of RENEWAL_BUCKETS) expect(groups[bucket]).toEqual([]);
  });

  it('does not reorder the caller’s array', () => {
    const input = [item('x', 50), item('y', 5)];
    groupRenewals(input);
    expect(input.map((i) => i.id)).toEqual(['x', 'y']);
  });
});
