import type { PreferredChannel as Channel } from './generated/PreferredChannel';
import type { ChecklistTick } from './generated/ChecklistTick';
import type { HandoffInput } from './generated/HandoffInput';
import type { HandoffSummary } from './generated/HandoffSummary';

/** The preferred channels, in the order the picker offers them. */
export const CHANNELS: readonly Channel[] = ['any', 'phone', 'mail', 'visit', 'chat'];

/** A promise row of the sheet form: the date as typed, the keeper '' for the rep. */
export type PromiseRow = { text: string; due: string; dueTyped: boolean; keeper: string };
export type KeyRow = { contact_id: string; channel: Channel; note: string };

export function blankPromise(): PromiseRow {
  return { text: '', due: '', dueTyped: false, keeper: '' };
}

/** What the form sends: empty rows left out, '' as "nobody" / "no date". */
export function sheetInput(f: {
  companyId: string;
  dealId: string | null;
  contractId: string | null;
  sold: string;
  amount: number;
  currency: string;
  goals: string;
  risks: string;
  promises: readonly PromiseRow[];
  keys: readonly KeyRow[];
  checklist: readonly ChecklistTick[];
  to: string;
}): HandoffInput {
  return {
    company_id: f.companyId,
    deal_id: f.dealId,
    contract_id: f.contractId,
    sold: f.sold,
    amount: f.amount,
    currency: f.currency,
    goals: f.goals,
    risks: f.risks,
    promises: f.promises
      .filter((p) => p.text.trim() !== '')
      .map((p) => ({ text: p.text, due_on: p.due === '' ? null : p.due, keeper_id: p.keeper === '' ? null : p.keeper })),
    key_persons: f.keys.map((k) => ({ ...k })),
    checklist: f.checklist.map((c) => ({ ...c })),
    to_user_id: f.to === '' ? null : f.to,
  };
}

/** The sheet a timeline entry is a step of, when it is one. */
export function handoffOf(text: { kind: string; params?: unknown } | null): string | null {
  if (!text || !text.kind.startsWith('handoff_') || text.kind === 'handoff_promise') return null;
  const p = text.params as { handoff_id?: unknown } | undefined;
  return typeof p?.handoff_id === 'string' ? p.handoff_id : null;
}

/** How a hand-off stands, for the badge on its row. */
export function standing(h: HandoffSummary): 'overdue' | 'question' | 'sent' | 'acknowledged' {
  if (h.open_question) return 'question';
  if (h.status === 'acknowledged') return 'acknowledged';
  return h.overdue ? 'overdue' : 'sent';
}
