// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { CaseDetail } from '$lib/generated/CaseDetail';
import CasePage from './CasePage.svelte';

// The composer of a case: what the user types while a reply is on its way is
// the next message, and must still be there when the reply lands.
const pending = vi.hoisted(() => ({ reply: null as null | (() => void), notes: [] as string[] }));
vi.mock('$lib/api', () => ({
  api: {
    supportCase: vi.fn(async (): Promise<CaseDetail> => detail()),
    users: vi.fn(async () => []),
    replyToCase: vi.fn(() => new Promise<void>((resolve) => (pending.reply = resolve))),
    noteOnCase: vi.fn(async (input: { body: string }) => {
      pending.notes.push(input.body);
    }),
  },
}));

function detail(): CaseDetail {
  const sla = { state: 'on_track', due_at: '2026-12-01T10:00:00Z', minutes_left: 60 };
  return {
    case: {
      id: 'case1', number: 7, subject: '請求額の苦情', company_id: 'c1', company_name: '株式会社テスト', contact_id: null,
      contact_name: null, channel: 'phone', category: 'complaint', priority: 'normal', status: 'new', assignee_id: null,
      assignee_name: null, received_at: '2026-12-01T09:00:00Z', first_response: sla, resolution: sla, version: 1,
    },
    body: '',
    deal_id: null,
    deal_title: null,
    contract_id: null,
    first_response_at: null,
    resolved_at: null,
    closed_at: null,
    next_statuses: [],
    events: [],
  } as unknown as CaseDetail;
}

describe('CasePage composer', () => {
  it('keeps a note typed while the reply before it is still being sent', async () => {
    render(CasePage, { props: { caseId: 'case1' } });
    const box = (await screen.findByTestId('composer-text')) as HTMLTextAreaElement;
    await fireEvent.input(box, { target: { value: '本日中にご連絡します。' } });
    await fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() => expect(pending.reply).not.toBeNull());

    // The reply is on its way; the user goes on to a note.
    await fireEvent.click(screen.getByTestId('composer-note'));
    await fireEvent.input(box, { target: { value: '見積書の版違いの可能性。' } });
    pending.reply?.();
    await waitFor(() => expect((screen.getByTestId('composer-send') as HTMLButtonElement).disabled).toBe(false));
    expect(box.value).toBe('見積書の版違いの可能性。');

    await fireEvent.click(screen.getByTestId('composer-send'));
    await waitFor(() => expect(pending.notes).toEqual(['見積書の版違いの可能性。']));
    await waitFor(() => expect(box.value).toBe(''));
  });
});
