import type { ImportField } from './generated/ImportField';
import type { ImportPreview } from './generated/ImportPreview';
import type { ImportProgress } from './generated/ImportProgress';

// The import view's decisions that are worth testing without a window:
// how a mapping changes, whether the dry run still stands, and how progress
// is told.

/**
 * `columns` with column `index` mapped to `field`. A field is taken by one
 * column only, so picking it elsewhere frees it where it was.
 */
export function mapColumn(columns: readonly (ImportField | null)[], index: number, field: ImportField | null): (ImportField | null)[] {
  return columns.map((f, i) => (i === index ? field : field !== null && f === field ? null : f));
}

/** What the dry run was made for: the import may start only while it is the same. */
export function previewKey(columns: readonly (ImportField | null)[], headerRow: number, onMatch: string, options: string): string {
  return JSON.stringify([columns, headerRow, onMatch, options]);
}

/** Rows the import would write; 0 (nothing to do) or a missing column forbids starting it. */
export function rowsToWrite(p: ImportPreview): number {
  return p.missing.length > 0 ? 0 : p.counts.new + p.counts.update;
}

/** Seconds as the progress line says them: whole seconds, minutes past a minute. */
export function splitDuration(seconds: number): { m: number; s: number } | { n: number } {
  const whole = Math.max(0, Math.ceil(seconds));
  return whole >= 60 ? { m: Math.floor(whole / 60), s: whole % 60 } : { n: whole };
}

/** Percent done, 0–100 (an empty import is done). */
export function percent(p: Pick<ImportProgress, 'done' | 'total'>): number {
  return p.total === 0 ? 100 : Math.min(100, Math.round((p.done / p.total) * 100));
}
