// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setLanguage } from '$lib/i18n/i18n.svelte';
import MeetingMemberPage from './MeetingMemberPage.svelte';
import type { Meeting } from '$lib/generated/Meeting';
import type { MeetingDeal } from '$lib/generated/MeetingDeal';
import type { MeetingMember } from '$lib/generated/MeetingMember';

// One member's page: the sections with their items, a lost deal's reason,
// competitor and re-approach in words, the standing sections only in the
// current week, and every deal a link.

const deal = (id: string, title: string, stage_kind: MeetingDeal['stage_kind'] = 'open'): MeetingDeal => ({
  id,
  pipeline_id: 'p',
  stage_id: 's',
  stage_name: '見積',
  stage_kind,
  title,
  company_id: `c-${id}`,
  company_name: `会社${id}`,
  amount: 1_200_000,
  currency: 'JPY',
});

const member: MeetingMember = {
  member_id: 'u1',
  name: '佐藤',
  active: true,
  moved: [{ deal: deal('d1', '基幹システム更新'), from: '提案', to: '見積', moves: 2, last_moved_at: '2026-11-24T01:00:00Z' }],
  cold: [],
  deadlines: [{ deal: deal('d2', '保守契約'), decision_deadline: '2026-11-20', days_left: -5 }],
  lost: [
    {
      deal: deal('d3', '新規導入', 'lost'),
      lost_at: '2026-11-24T01:00:00Z',
      reason: '価格',
      lost_to: '競合社',
      detail: null,
      reapproach_on: '2027-05-25',
      reapproach_planned: true,
    },
  ],
  overdue: [],
};

function page(current: boolean) {
  const meeting: Meeting = { week_start: '2026-11-23', week_end: '2026-11-29', today: '2026-11-25', current, members: [member] };
  const ondeal = vi.fn();
  const oncompany = vi.fn();
  render(MeetingMemberPage, { props: { meeting, member, stageName: () => '見積', ondeal, oncompany } });
  return { ondeal, oncompany };
}

describe('MeetingMemberPage', () => {
  beforeEach(() => setLanguage('ja'));

  it('shows what moved, the loss with its reason and re-approach, and a passed deadline in words', () => {
    page(true);
    expect(screen.getByTestId('meeting-member-name').textContent).toBe('佐藤');
    const moved = screen.getByTestId('meeting-moved').textContent ?? '';
    expect(moved).toContain('提案');
    expect(moved).toContain('見積');
    expect(moved).toContain('今週2回移動');
    const lost = screen.getByTestId('meeting-lost').textContent ?? '';
    expect(lost).toContain('価格');
    expect(lost).toContain('競合: 競合社');
    expect(lost).toContain('再アプローチ');
    expect(screen.getByTestId('meeting-deadlines').textContent).toContain('5日超過');
    expect(screen.getByTestId('meeting-cold').textContent).toContain('なし');
  });

  it('leaves the sections judged now out of a past week', () => {
    page(false);
    expect(screen.queryByTestId('meeting-deadlines')).toBeNull();
    expect(screen.queryByTestId('meeting-cold')).toBeNull();
    expect(screen.queryByTestId('meeting-overdue')).toBeNull();
    expect(screen.getByTestId('meeting-lost')).toBeTruthy();
  });

  it('opens a deal and a customer from their links', async () => {
    const { ondeal, oncompany } = page(true);
    const links = screen.getAllByTestId('meeting-deal');
    expect(links.map((l) => l.dataset.deal)).toEqual(['d1', 'd3', 'd2']);
    await fireEvent.click(links[0]!);
    expect(ondeal).toHaveBeenCalledWith('d1');
    await fireEvent.click(screen.getByText('会社d3'));
    expect(oncompany).toHaveBeenCalledWith('c-d3');
  });
});
