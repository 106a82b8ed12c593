import type { AuditEntry } from './generated/AuditEntry';
import type { AuditPage } from './generated/AuditPage';
import type { AuditQuery } from './generated/AuditQuery';
import type { Role } from './generated/Role';

// The audit trail (Settings → 変更履歴) and the personal-data requests:
// what the screens decide without the backend (docs/security.md).

/** The kinds of record the trail can be narrowed to, in the order the filter lists them. */
export const AUDIT_KINDS = [
  'company',
  'contact',
  'deal',
  'activity',
  'follow_up',
  'contract',
  'support_case',
  'lead',
  'handoff',
  'user',
  'settings',
  'pipeline',
  'stage',
  'sequence',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The actions the catalogue words; any other is shown as stored. */
export const AUDIT_ACTIONS = [
  'insert',
  'update',
  'delete',
  'restore',
  'merge',
  'archive',
  'unarchive',
  'erase',
  'disclose',
  'mail_opt_out',
] as const;

/** What the filter row holds: empty text is "any". */
export interface AuditFilter {
  memberId: string;
  kind: string;
  recordId: string;
  companyId: string;
  /** The customer's name, shown on the chip a customer page's link leaves. */
  companyLabel: string;
  from: string;
  to: string;
}

export function emptyFilter(): AuditFilter {
  return { memberId: '', kind: '', recordId: '', companyId: '', companyLabel: '', from: '', to: '' };
}

/** Only managers read the trail and answer personal-data requests (the engine checks too). */
export function isManager(roles: readonly Role[] | null | undefined): boolean {
  return (roles ?? []).includes('manager');
}

/** The query for one page of `filter`, after `before` when paging on. */
export function queryFor(filter: AuditFilter, before: AuditPage['next'] = null, limit = 50): AuditQuery {
  const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());
  return {
    member_id: orNull(filter.memberId),
    entity: orNull(filter.kind),
    record_id: orNull(filter.recordId),
    company_id: orNull(filter.companyId),
    from: orNull(filter.from),
    to: orNull(filter.to),
    before,
    limit,
  };
}

/** A period whose end comes before its start finds nothing: said before asking. */
export function periodInverted(filter: AuditFilter): boolean {
  return filter.from !== '' && filter.to !== '' && filter.to < filter.from;
}

/** The next page after the ones shown, without an entry twice (a colleague's save between pages). */
export function appendPage(shown: readonly AuditEntry[], page: AuditPage): AuditEntry[] {
  const seen = new Set(shown.map((e) => e.id));
  return [...shown, ...page.entries.filter((e) => !seen.has(e.id))];
}

/** A recorded value as a person reads it; `none` for nothing. */
export function valueText(value: unknown, none: string, yes = '✓', no = '—'): string {
  if (value === null || value === undefined || value === '') return none;
  if (typeof value === 'boolean') return value ? yes : no;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? none : value.map((v) => valueText(v, none, yes, no)).join('、');
  return JSON.stringify(value);
}

/** Whether a kind or action has words in the catalogue (else it is shown as stored). */
export function knownKind(entity: string): entity is AuditKind {
  return (AUDIT_KINDS as readonly string[]).includes(entity);
}
export function knownAction(action: string): action is (typeof AUDIT_ACTIONS)[number] {
  return (AUDIT_ACTIONS as readonly string[]).includes(action);
}

/**
 * Whether what the user typed is the person's name, as the engine compares
 * it (privacy/erase.rs): widths and spaces aside. The button to erase stays
 * off until it is.
 */
export function confirmsName(typed: string, name: string): boolean {
  const squash = (s: string): string => s.normalize('NFKC').replace(/\s+/gu, '').toLowerCase();
  return squash(name) !== '' && squash(typed) === squash(name);
}

/** The save dialog's suggestion for a disclosure: `開示_山田太郎_20261201.xlsx`. */
export function disclosureFileName(label: string, name: string, today: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  // Characters a file name may not hold on Windows.
  const safe = name.replace(/[\\/:*?"<>|\s]+/gu, '');
  return `${label}_${safe}_${today.getFullYear()}${pad(today.getMonth() + 1)}${pad(today.getDate())}.xlsx`;
}
