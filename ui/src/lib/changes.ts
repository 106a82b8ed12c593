import type { ChangeBatch } from './generated/ChangeBatch';
import type { Entity } from './generated/Entity';

/** The kinds of record the change log names (`store::changes::Entity`). */
export type { Entity };

/**
 * Whether a batch of changes concerns a view that shows `entities` — and,
 * when the view shows only some records, only those (`ids`). A batch too
 * large to list (`overflow`) concerns everyone.
 */
export function touches(batch: ChangeBatch, entities: readonly Entity[], ids?: ReadonlySet<string>): boolean {
  if (batch.overflow) return true;
  return batch.changes.some(
    (c) => entities.includes(c.entity) && (ids === undefined || ids.has(c.entity_id)),
  );
}
