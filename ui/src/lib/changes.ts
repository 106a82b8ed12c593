import type { ChangeBatch } from './generated/ChangeBatch';

/** The kinds of record the change log names (`ctx.changed` in the engine). */
export type Entity =
  | 'activity'
  | 'company'
  | 'contact'
  | 'contract'
  | 'deal'
  | 'follow_up'
  | 'member_session'
  | 'pipeline'
  | 'settings'
  | 'stage'
  | 'support_case'
  | 'user';

/**
 * Whether a batch of changes concerns a view that shows `entities` — and,
 * when the view shows only some records, only those (`ids`). A batch too
 * large to list (`overflow`) concerns everyone.
 */
export function touches(batch: ChangeBatch, entities: readonly Entity[], ids?: ReadonlySet<string>): boolean {
  if (batch.overflow) return true;
  return batch.changes.some(
    (c) => (entities as readonly string[]).includes(c.entity) && (ids === undefined || ids.has(c.entity_id)),
  );
}
