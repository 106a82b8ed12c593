import type { ErrorPayload } from './generated/ErrorPayload';
import type { ExportFormat } from './generated/ExportFormat';
import type { ExportKind } from './generated/ExportKind';

export const EXPORT_KINDS: readonly ExportKind[] = ['customers', 'contacts', 'deals', 'timeline', 'follow_ups', 'contracts'];

/** The formats a kind can be written as: a calendar only for dated work. */
export function formatsFor(kind: ExportKind): ExportFormat[] {
  return kind === 'follow_ups' || kind === 'contracts' ? ['xlsx', 'csv', 'ics'] : ['xlsx', 'csv'];
}

/** The save dialog's suggestion: `顧客_20261201.xlsx`. */
export function exportFileName(label: string, format: ExportFormat, today: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${label}_${today.getFullYear()}${pad(today.getMonth() + 1)}${pad(today.getDate())}.${format}`;
}

/** The save dialog's filter for a format. */
export function fileFilter(format: ExportFormat): { name: string; extensions: string[] } {
  switch (format) {
    case 'xlsx':
      return { name: 'Excel', extensions: ['xlsx'] };
    case 'csv':
      return { name: 'CSV', extensions: ['csv'] };
    case 'ics':
      return { name: 'iCalendar', extensions: ['ics'] };
  }
}

export interface Unencodable {
  row: number;
  column: string;
  character: string;
}

/** Where a Shift_JIS export stopped, when that is what the error says. */
export function unencodableAt(error: ErrorPayload | null): Unencodable | null {
  if (error?.code !== 'unencodable') return null;
  const c = error.current;
  if (typeof c !== 'object' || c === null) return null;
  const v = c as Record<string, unknown>;
  if (typeof v['row'] !== 'number' || typeof v['column'] !== 'string' || typeof v['character'] !== 'string') return null;
  return { row: v['row'], column: v['column'], character: v['character'] };
}
