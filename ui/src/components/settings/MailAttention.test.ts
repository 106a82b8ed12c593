// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { MailSend } from '$lib/generated/MailSend';
import MailAttention from './MailAttention.svelte';

// A mail whose fate is unknown waits for the member's word (never resent by
// guess); a plain failure is not asked about.
const calls = vi.hoisted(() => ({ resolved: [] as unknown[][] }));
vi.mock('$lib/api', () => ({
  api: {
    mailsNeedingAttention: vi.fn(async (): Promise<MailSend[]> => [row('seq:e1:0', 'unknown', null), row('seq:e2:0', 'failed', 'mail_unreachable')]),
    resolveUnknownMail: vi.fn(async (...args: unknown[]) => {
      calls.resolved.push(args);
    }),
  },
}));

function row(key: string, state: MailSend['state'], error_code: string | null): MailSend {
  return {
    key, member_id: 'u1', state, computer_id: 'pc1', claimed_at: '2026-11-25T01:00:00Z', finished_at: null,
    to_name: '山田 太郎', to_address: 'yamada@example.co.jp', subject: '資料送付のご連絡', body: '本文',
    message_id: null, error_code, error: error_code ? 'connection refused' : null, attempts: 1, version: 3,
  };
}

describe('MailAttention', () => {
  it('asks about an unknown send and records the answer with the row’s version', async () => {
    render(MailAttention);
    const rows = await screen.findAllByTestId('mail-attention-row');
    // The failure needs no decision (its sequence retries and shows it).
    expect(rows.map((r) => r.dataset.key)).toEqual(['seq:e1:0']);
    await fireEvent.click(screen.getByTestId('mail-attention-was-sent'));
    await waitFor(() => expect(calls.resolved).toEqual([['seq:e1:0', 3, 'was_sent']]));
  });
});
