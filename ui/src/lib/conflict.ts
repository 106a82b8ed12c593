/**
 * A save refused because a colleague saved the same record first: the
 * engine's `conflict` error carries their row as it is now. These helpers
 * line it up with what the user typed, field by field, for the panel that
 * lets them keep the colleague's version or put theirs on top.
 */

export type FieldSpec = {
  key: string;
  label: string;
  /** How the field reads to a person (a user's name rather than an id). */
  show?: (value: unknown) => string;
};

export type Compared = { key: string; label: string; theirs: string; mine: string };

const plain = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** The fields where the colleague's saved row and the user's form differ. */
export function compare(
  fields: readonly FieldSpec[],
  theirs: Record<string, unknown>,
  mine: Record<string, unknown>,
): Compared[] {
  return fields.flatMap((f) => {
    const show = f.show ?? plain;
    const a = show(theirs[f.key]);
    const b = show(mine[f.key]);
    return a === b ? [] : [{ key: f.key, label: f.label, theirs: a, mine: b }];
  });
}

/** The colleague's row from a conflict payload, when it is one. */
export function theirRow(current: unknown): (Record<string, unknown> & { version: number }) | null {
  if (typeof current !== 'object' || current === null) return null;
  const row = current as Record<string, unknown>;
  return typeof row['version'] === 'number' ? (row as Record<string, unknown> & { version: number }) : null;
}
