import { compare, theirRow, type Compared } from './conflict';
import type { Entry } from './generated/Entry';
import type { Op } from './generated/Op';

/** The words that name a piece of waiting work ("電話: 見積の件"). */
export function subject(op: Op): string {
  switch (op.op) {
    case 'log_activity':
      return op.activity.summary;
    case 'create_follow_up':
      return op.follow_up.title;
    case 'create_company':
      return op.company.name;
    case 'update_company':
      return op.edit.name;
    case 'update_deal':
      return op.edit.title;
    case 'move_deal':
      return '';
    case 'complete_follow_up':
      return op.touch?.summary ?? '';
    case 'open_case':
      return op.case.subject;
    case 'reply_to_case':
    case 'note_on_case':
      return op.post.body;
    case 'send_handoff':
      return op.handoff.sold;
    case 'acknowledge_handoff':
      return '';
    case 'add_lead':
      return op.lead.company_name || op.lead.person_name;
    case 'lead_contacted':
      return op.contacted.note;
    case 'convert_lead':
      return op.convert.deal_title;
  }
}

/** For a conflict: the colleague's saved row beside the waiting edit. */
export function conflictRows(entry: Entry, label: (key: string) => string): Compared[] {
  const theirs = theirRow(entry.error?.current);
  if (!theirs) return [];
  const op = entry.op;
  const keys =
    op.op === 'update_deal'
      ? ['title', 'amount', 'expected_close', 'notes']
      : op.op === 'update_company'
        ? ['name', 'name_kana', 'industry', 'address', 'phone', 'website']
        : [];
  const mine: Record<string, unknown> = op.op === 'update_deal' || op.op === 'update_company' ? { ...op.edit } : {};
  return compare(
    keys.map((key) => ({ key, label: label(key) })),
    theirs,
    mine,
  );
}
