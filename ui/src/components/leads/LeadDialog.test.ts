// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { LeadDetail } from '$lib/generated/LeadDetail';
import LeadDialog from './LeadDialog.svelte';

// Correcting a lead: the form starts from what is stored, and the save is
// based on the version shown (a colleague's newer save is a conflict).
const calls = vi.hoisted(() => ({ updated: [] as unknown[][], added: 0 }));
vi.mock('$lib/api', () => ({
  api: {
    users: vi.fn(async () => []),
    teamSettings: vi.fn(async () => ({ settings: { lead_sources: ['web_form', 'phone'] } })),
    updateLead: vi.fn(async (...args: unknown[]) => {
      calls.updated.push(args);
      return 5;
    }),
    addLead: vi.fn(async () => {
      calls.added += 1;
      return 'new';
    }),
  },
}));

const detail = {
  lead: { id: 'lead1', number: 7, source: 'exhibition_2025', company_name: 'サクラ精機（株', person_name: '桜田 一郎', mail: 'sakurada@sakura.example.jp', phone: '03-5555-0000', version: 4 },
  message: '見積をお願いします。',
} as unknown as LeadDetail;

describe('LeadDialog', () => {
  it('corrects a lead from what is stored, based on the version shown', async () => {
    const oncreated = vi.fn();
    render(LeadDialog, { props: { editing: detail, oncreated, onclose: vi.fn() } });
    const company = screen.getByTestId('lead-company') as HTMLInputElement;
    expect(company.value).toBe('サクラ精機（株');
    // The lead's own source stays choosable though the team's list no longer has it.
    await waitFor(() => expect((screen.getByTestId('lead-source') as HTMLSelectElement).value).toBe('exhibition_2025'));
    expect(screen.queryByTestId('lead-owner')).toBeNull();
    await fireEvent.input(company, { target: { value: 'サクラ精機（株）' } });
    await fireEvent.click(screen.getByTestId('lead-create'));
    await waitFor(() => expect(oncreated).toHaveBeenCalledWith('lead1'));
    expect(calls.updated).toEqual([
      [
        'lead1',
        4,
        { source: 'exhibition_2025', person_name: '桜田 一郎', company_name: 'サクラ精機（株）', phone: '03-5555-0000', mail: 'sakurada@sakura.example.jp', message: '見積をお願いします。' },
      ],
    ]);
    expect(calls.added).toBe(0);
  });
});
