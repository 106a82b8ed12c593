import type { ErrorCode } from './generated/ErrorCode';
import type { ErrorPayload } from './generated/ErrorPayload';
import type { Language } from './generated/Language';
import { catalogs, translate } from './i18n/translate';

/** True when `value` has the shape every backend command rejects with. */
export function isErrorPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['code'] === 'string' && typeof v['message'] === 'string';
}

/**
 * Anything a rejected promise can carry, as an ErrorPayload. Tauri itself
 * rejects with plain strings (unknown command, missing permission), and those
 * must still reach the user as a translated error, not as a blank screen.
 */
export function toErrorPayload(reason: unknown): ErrorPayload {
  if (isErrorPayload(reason)) {
    return {
      code: reason.code,
      message: reason.message,
      field: reason.field ?? null,
      reason: reason.reason ?? null,
      current: reason.current ?? null,
    };
  }
  const message = reason instanceof Error ? reason.message : String(reason);
  return { code: 'internal', message, field: null, reason: null, current: null };
}

function hasTranslation(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(catalogs.ja.error, code);
}

/** The user-facing sentence for an error, in `lang`. */
export function errorText(error: ErrorPayload, lang: Language): string {
  // A code newer than this UI build still gets a readable sentence.
  if (!hasTranslation(error.code)) return translate(lang, 'common.unknownError', { code: error.code });
  return translate(lang, `error.${error.code}`);
}
