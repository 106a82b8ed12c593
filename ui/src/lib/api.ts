import * as commands from './generated/commands';
import type { CompanyQuery } from './generated/CompanyQuery';
import type { BoardFilter } from './generated/BoardFilter';
import type { ThankYouDraft } from './generated/ThankYouDraft';
import type { MailDraft } from './generated/MailDraft';

// The commands as the views call them: the generated bindings
// (`generated/commands.ts`, from the shell's Rust signatures), with the few
// defaults the views rely on. Each rejects with an ErrorPayload.
export const api = {
  ...commands,
  /** `loaded`: stage id → cards a column already shows, so a refresh keeps them. */
  board: (pipelineId: string | null, filter: BoardFilter | null = null, loaded: Record<string, number> | null = null) =>
    commands.board(pipelineId, filter, loaded),
  companies: (query: Partial<CompanyQuery> = {}) =>
    commands.companies({ text: null, owner_id: null, segment: null, sort: 'name_kana', include_archived: false, ...query }),
  recordMailSent: (d: ThankYouDraft, draft: MailDraft) =>
    commands.recordMailSent(d.company_id, d.deal_id, d.contact_ids, draft),
  followUps: (mineOnly: boolean, includeDone = false, companyId: string | null = null) =>
    commands.followUps(mineOnly, includeDone, companyId),
};
