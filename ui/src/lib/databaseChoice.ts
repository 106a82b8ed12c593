import { open, save } from '@tauri-apps/plugin-dialog';
import { api } from './api';
import { toErrorPayload } from './errors';
import type { AppStatus } from './generated/AppStatus';

// The ways to point Kizuna at a team database, shared by the first-run
// dialog, the "cannot open" screen and Settings. Each resolves to the new
// AppStatus, or null when the user cancelled the file dialog, and rejects
// with an ErrorPayload.

function filters(filterName: string) {
  return [{ name: filterName, extensions: ['db'] }];
}

async function ask<T>(dialog: () => Promise<T>): Promise<T> {
  try {
    return await dialog();
  } catch (reason) {
    throw toErrorPayload(reason);
  }
}

export async function createTeamDatabaseViaDialog(filterName: string): Promise<AppStatus | null> {
  const path = await ask(() => save({ defaultPath: 'kizuna.db', filters: filters(filterName) }));
  return path ? api.createTeamDatabase(path) : null;
}

export async function openTeamDatabaseViaDialog(filterName: string): Promise<AppStatus | null> {
  const path = await ask(() => open({ multiple: false, directory: false, filters: filters(filterName) }));
  return path ? api.openTeamDatabase(path) : null;
}

/**
 * A path as the user pasted it. Explorer's "Copy as path" wraps it in double
 * quotes, and pasting often brings stray spaces or a newline; a UNC path
 * (\\server\share\kizuna.db) is otherwise kept exactly as typed.
 */
export function cleanPastedPath(input: string): string {
  let path = input.trim();
  const quoted = /^"(.*)"$/s.exec(path) ?? /^'(.*)'$/s.exec(path);
  if (quoted) path = (quoted[1] ?? '').trim();
  return path;
}
