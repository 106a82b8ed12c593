import type { RenewalItem } from './generated/RenewalItem';

export type RenewalBucket = 'past' | 'under30' | 'from30to60' | 'over60';

export const RENEWAL_BUCKETS: readonly RenewalBucket[] = ['past', 'under30', 'from30to60', 'over60'];

/** Which time-left group a contract falls in; 30 and 60 days belong to "30–60". */
export function renewalBucket(daysLeft: number): RenewalBucket {
  if (daysLeft < 0) return 'past';
  if (daysLeft < 30) return 'under30';
  if (daysLeft <= 60) return 'from30to60';
  return 'over60';
}

/** Contracts grouped by time left, each group soonest first; empty groups included. */
export function groupRenewals(items: readonly RenewalItem[]): Record<RenewalBucket, RenewalItem[]> {
  const groups: Record<RenewalBucket, RenewalItem[]> = { past: [], under30: [], from30to60: [], over60: [] };
  for (const item of items) groups[renewalBucket(item.days_left)].push(item);
  for (const bucket of RENEWAL_BUCKETS) groups[bucket].sort((a, b) => a.days_left - b.days_left);
  return groups;
}
