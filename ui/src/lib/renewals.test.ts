import { describe, expect, it } from 'vitest';
import type { RenewalCard } from './generated/RenewalCard';
import { columnsOf, localDay, needsDialog, nextSteps, percent } from './renewals';

function card(id: string, over: Partial<RenewalCard>): RenewalCard {
  return {
    id,
    version: 1,
    company_id: 'c',
    company_name: 'C',
    plan: 'p',
    start_date: '2026-01-01',
    end_date: '2026-12-31',
    days_left: 35,
    time_left: 'from60_to30',
    notice_deadline: '2026-12-01',
    notice_days: 30,
    hearing_days: null,
    proposal_days: null,
    amount: 1,
    currency: 'JPY',
    billing: 'annual',
    auto_renew: false,
    status: 'active',
    step: 'not_started',
    owner_id: null,
    owner_name: null,
    satisfaction: null,
    hearing_notes: '',
    proposal_kind: null,
    proposed_amount: null,
    churn_reason: null,
    from_case: null,
    next_due_at: null,
    next_title: null,
    next_engine_text: null,
    next_contract_id: null,
    health: null,
    ...over,
  };
}

describe('renewal board', () => {
  it('groups by time left only what still runs, and by step everything', () => {
    const cards = [
      card('a', { time_left: 'under30', days_left: 10 }),
      card('b', { status: 'in_renewal', step: 'hearing' }),
      card('c', { status: 'renewed', step: 'post_renewal', time_left: 'past_end' }),
    ];
    const byTime = columnsOf(cards, 'time');
    expect(byTime.get('under30')?.map((c) => c.id)).toEqual(['a']);
    expect(byTime.get('from60_to30')?.map((c) => c.id)).toEqual(['b']);
    expect(byTime.get('past_end')).toEqual([]);
    const byStep = columnsOf(cards, 'step');
    expect([...byStep.keys()]).toHaveLength(7);
    expect(byStep.get('post_renewal')?.map((c) => c.id)).toEqual(['c']);
  });

  it('offers only forward steps, as the engine allows', () => {
    expect(nextSteps('not_started')).toEqual(['hearing', 'proposal', 'procedure', 'post_renewal', 'churned']);
    expect(nextSteps('proposal')).toEqual(['proposal', 'procedure', 'post_renewal', 'churned']);
    expect(nextSteps('post_renewal')).toEqual(['renewed']);
    expect(nextSteps('churned')).toEqual([]);
    expect(needsDialog('procedure')).toBe(false);
    expect(needsDialog('churned')).toBe(true);
  });

  it('formats days and shares', () => {
    expect(localDay(1, new Date(2026, 11, 31))).toBe('2027-01-01');
    expect(localDay(-1, new Date(2028, 2, 1))).toBe('2028-02-29');
    expect(percent(2 / 3)).toBe('66.7%');
    expect(percent(null)).toBeNull();
  });
});
