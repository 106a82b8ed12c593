import { describe, expect, it } from 'vitest';
import { blankPromise, handoffOf, sheetInput, standing } from './handoff';
import type { HandoffSummary } from './generated/HandoffSummary';

describe('the hand-off sheet form', () => {
  it('sends filled promises only, with empty dates and keepers as nobody', () => {
    const input = sheetInput({
      companyId: 'c1',
      dealId: 'd1',
      contractId: null,
      sold: 'クラウド会計',
      amount: 600000,
      currency: 'JPY',
      goals: '',
      risks: '',
      promises: [
        { text: '初期設定の代行', due: '2026-12-04', dueTyped: false, keeper: 'u2' },
        { text: '定期訪問', due: '', dueTyped: false, keeper: '' },
        blankPromise(),
      ],
      keys: [{ contact_id: 'k1', channel: 'mail', note: '午前はメール' }],
      checklist: [{ item: '契約書を受領した', done: true }],
      to: '',
    });
    expect(input.promises).toEqual([
      { text: '初期設定の代行', due_on: '2026-12-04', keeper_id: 'u2' },
      { text: '定期訪問', due_on: null, keeper_id: null },
    ]);
    expect(input.to_user_id).toBeNull();
    expect(input.key_persons).toEqual([{ contact_id: 'k1', channel: 'mail', note: '午前はメール' }]);
  });

  it('finds the sheet a timeline step belongs to', () => {
    expect(handoffOf({ kind: 'handoff_acknowledged', params: { handoff_id: 'h1', by: '佐藤' } })).toBe('h1');
    expect(handoffOf({ kind: 'handoff_sent', params: { handoff_id: 'h2', to: null } })).toBe('h2');
    // A promise's follow-up title is not a step of a sheet; other texts neither.
    expect(handoffOf({ kind: 'handoff_promise', params: { company: 'A', promise: 'B' } })).toBeNull();
    expect(handoffOf({ kind: 'stage_changed', params: { from: 'a', to: 'b' } })).toBeNull();
    expect(handoffOf(null)).toBeNull();
  });

  it('says how a hand-off stands, an open question first', () => {
    const h = (over: Partial<HandoffSummary>): HandoffSummary => ({
      id: 'h',
      version: 1,
      company_id: 'c',
      company_name: 'A',
      deal_title: null,
      sold: 'x',
      from_user_id: 'u1',
      from_name: '田中',
      to_user_id: null,
      to_name: null,
      status: 'sent',
      sent_at: '2026-11-27T07:00:00Z',
      ack_due_at: '2026-11-30T02:00:00Z',
      overdue: false,
      acknowledged_at: null,
      acknowledged_by_name: null,
      open_question: false,
      ...over,
    });
    expect(standing(h({}))).toBe('sent');
    expect(standing(h({ overdue: true }))).toBe('overdue');
    expect(standing(h({ overdue: true, open_question: true }))).toBe('question');
    expect(standing(h({ status: 'acknowledged' }))).toBe('acknowledged');
  });
});
