import { invoke } from '@tauri-apps/api/core';
import { toErrorPayload } from './errors';

/**
 * Calls a Tauri command. The generated bindings (`generated/commands.ts`)
 * are the only callers: they fix each command's name, arguments and reply
 * from the Rust signature. Rejects with an ErrorPayload, whatever the
 * backend or Tauri itself threw.
 */
export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toErrorPayload(reason);
  }
}
