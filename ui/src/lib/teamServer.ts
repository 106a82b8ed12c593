import type { ErrorPayload } from './generated/ErrorPayload';
import type { ServerChoice } from './generated/ServerChoice';
import type { TlsMode } from './generated/TlsMode';
import { invalid, parsePort } from './mailAccount';

// The "Connect to a team server" form: what the user types, as text, until
// it connects. The password is not part of it: it goes from its own field
// to the engine, which keeps it in the credential store once the server
// took it.

export type ServerDraft = {
  host: string;
  port: string;
  database: string;
  user: string;
  tls: TlsMode;
};

export const TLS_MODES: readonly TlsMode[] = ['required', 'off'];

/** PostgreSQL's usual port. */
export const DEFAULT_SERVER_PORT = 5432;

/** The form for the server this desktop uses, or an empty one. */
export function serverDraft(choice: ServerChoice | null): ServerDraft {
  if (!choice) return { host: '', port: String(DEFAULT_SERVER_PORT), database: 'kizuna', user: '', tls: 'required' };
  return { host: choice.host, port: String(choice.port), database: choice.database, user: choice.user, tls: choice.tls };
}

/** The choice to connect with, or the problem to show (the engine checks again). */
export function draftChoice(draft: ServerDraft): ServerChoice | ErrorPayload {
  if (draft.host.trim() === '') return invalid('server_host', 'required');
  const port = parsePort(draft.port);
  if (port === null) return invalid('server_port', 'format');
  if (draft.database.trim() === '') return invalid('server_database', 'required');
  if (draft.user.trim() === '') return invalid('server_user', 'required');
  return { host: draft.host.trim(), port, database: draft.database.trim(), user: draft.user.trim(), tls: draft.tls };
}

export function isChoicePayload(value: ServerChoice | ErrorPayload): value is ErrorPayload {
  return 'code' in value;
}

/** Whether the host is this computer, the only place TLS may be off. */
export function isThisComputer(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h);
}
