import type { ErrorPayload } from './generated/ErrorPayload';
import type { Security } from './generated/Security';
import type { SmtpAccount } from './generated/SmtpAccount';

// The "Sending mail" form: what the user types, as text, until it is saved.
// The password is never part of it: it only goes from its own field into
// the credential store.

export type MailDraft = {
  host: string;
  port: string;
  security: Security;
  user: string;
  fromAddress: string;
  fromName: string;
};

export const SECURITIES: readonly Security[] = ['start_tls', 'tls', 'none'];

/** The port each kind of connection usually uses. */
export const DEFAULT_PORT: Record<Security, number> = { start_tls: 587, tls: 465, none: 25 };

/** The form for a saved account, or an empty one signed with the member's name. */
export function mailDraft(account: SmtpAccount | null, displayName: string): MailDraft {
  if (!account) {
    return { host: '', port: '587', security: 'start_tls', user: '', fromAddress: '', fromName: displayName };
  }
  return {
    host: account.host,
    port: String(account.port),
    security: account.security,
    user: account.user,
    fromAddress: account.from_address,
    fromName: account.from_name,
  };
}

/** A new kind of connection brings its usual port, unless the user typed another. */
export function withSecurity(draft: MailDraft, security: Security): MailDraft {
  const usual = Object.values(DEFAULT_PORT).map(String);
  const port = usual.includes(draft.port.trim()) || draft.port.trim() === '' ? String(DEFAULT_PORT[security]) : draft.port;
  return { ...draft, security, port };
}

/** A port as typed, 1–65535, or null. Full-width digits from an IME are read as the numbers they are. */
export function parsePort(text: string): number | null {
  const digits = text.trim().replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  const port = /^\d{1,5}$/.test(digits) ? Number(digits) : NaN;
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}

export function invalid(field: string, reason: string): ErrorPayload {
  return { code: 'invalid', message: '', field, reason, current: null };
}

/** The account to save, or the problem to show (the engine checks again). */
export function draftAccount(draft: MailDraft): SmtpAccount | ErrorPayload {
  const port = parsePort(draft.port);
  if (port === null) return invalid('port', 'format');
  if (draft.host.trim() === '') return invalid('host', 'required');
  if (draft.fromAddress.trim() === '') return invalid('from_address', 'required');
  return {
    host: draft.host.trim(),
    port,
    security: draft.security,
    user: draft.user.trim(),
    from_address: draft.fromAddress.trim(),
    from_name: draft.fromName.trim(),
  };
}

export function isAccountPayload(value: SmtpAccount | ErrorPayload): value is ErrorPayload {
  return 'code' in value;
}

/** Unsaved: the form differs from what is saved, or a new password was typed. */
export function isMailDirty(saved: SmtpAccount | null, displayName: string, draft: MailDraft, password: string): boolean {
  if (password !== '') return true;
  const base = mailDraft(saved, displayName);
  return (Object.keys(base) as (keyof MailDraft)[]).some((k) => base[k] !== draft[k]);
}
