import type { ErrorCode } from './generated/ErrorCode';
import type { ErrorPayload } from './generated/ErrorPayload';
import type { Language } from './generated/Language';
import { catalogs, lookup, translate } from './i18n/translate';
import type { MessageKey } from './i18n/types';

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

/** `key` when the catalogue has a plain message there (not a branch, not a plural). */
function messageKey(lang: Language, key: string): MessageKey | null {
  return typeof lookup(catalogs[lang], key) === 'string' ? (key as MessageKey) : null;
}

/**
 * The most specific wording for a validation error: `invalid.<field>.<reason>`
 * ("probability must be 0–100"), else `invalid.<reason>` ("too long"), else
 * none, and the caller falls back to the generic `error.invalid`.
 */
function invalidKey(error: ErrorPayload, lang: Language): MessageKey | null {
  const { field, reason } = error;
  if (!reason) return null;
  return (field ? messageKey(lang, `invalid.${field}.${reason}`) : null) ?? messageKey(lang, `invalid.${reason}`);
}

/** The user-facing sentence for an error, in `lang`. */
export function errorText(error: ErrorPayload, lang: Language): string {
  // A code newer than this UI build still gets a readable sentence.
  if (!hasTranslation(error.code)) return translate(lang, 'common.unknownError', { code: error.code });
  if (error.code === 'invalid') {
    const key = invalidKey(error, lang);
    if (key) return translate(lang, key);
  }
  return translate(lang, `error.${error.code}`);
}
