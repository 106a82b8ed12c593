import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../generated/ErrorCode';
import { en } from './en';
import { ja } from './ja';
import { catalogs, interpolate, lookup, translate } from './translate';
import type { MessageKey } from './types';

// Every ErrorCode, as a record so the type checker also rejects a missing or
// unknown code here; the test below compares it with the generated file.
const ERROR_CODES: Record<ErrorCode, true> = {
  not_kizuna: true,
  damaged: true,
  schema_too_new: true,
  file_missing: true,
  file_exists: true,
  not_found: true,
  conflict: true,
  invalid: true,
  busy: true,
  read_only: true,
  unreachable: true,
  queued: true,
  no_database: true,
  recovery_blocked: true,
  identity_required: true,
  manager_only: true,
  unknown_value: true,
  mail_unreachable: true,
  mail_auth: true,
  mail_tls: true,
  mail_rejected: true,
  mail_server: true,
  mail_no_password: true,
  mail_no_account: true,
  mail_sending_elsewhere: true,
  mail_outcome_unknown: true,
  credential_store: true,
  passphrase_required: true,
  passphrase_wrong: true,
  key_changed: true,
  server_unreachable: true,
  server_auth: true,
  server_tls: true,
  server_refused: true,
  transfer_mismatch: true,
  transfer_target_not_empty: true,
  not_on_server: true,
  import_unreadable: true,
  import_encoding: true,
  import_unknown_sheet: true,
  import_empty: true,
  import_batch_closed: true,
  unencodable: true,
  io: true,
  internal: true,
};
const errorCodes = Object.keys(ERROR_CODES).sort();

/** Every dotted key to a leaf; a plural entry is a leaf. */
function leafKeys(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [prefix];
  const record = node as Record<string, unknown>;
  if (typeof record['other'] === 'string') return [prefix];
  return Object.keys(record).flatMap((k) => leafKeys(record[k], prefix ? `${prefix}.${k}` : k));
}

/** The string union in ui/src/lib/generated/ErrorCode.ts, read as text. */
async function generatedErrorCodes(): Promise<string[]> {
  // Through a variable so the UI's tsconfig (no Node types) need not know node:fs.
  const fsModule: string = 'node:fs';
  const fs = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(path: URL, encoding: 'utf8'): string };
  const source = fs.readFileSync(new URL('../generated/ErrorCode.ts', import.meta.url), 'utf8');
  const union = /export type ErrorCode =([^;]+);/.exec(source)?.[1];
  if (union === undefined) throw new Error('ErrorCode union not found in generated/ErrorCode.ts');
  return [...union.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '').sort();
}

describe('catalogues', () => {
  it('ja and en have exactly the same keys', () => {
    const jaKeys = leafKeys(ja).sort();
    const enKeys = leafKeys(en).sort();
    expect(jaKeys.length).toBeGreaterThan(50);
    expect(enKeys).toEqual(jaKeys);
  });

  it('have a non-empty string or plural at every key in both languages', () => {
    for (const key of leafKeys(ja)) {
      for (const lang of ['ja', 'en'] as const) {
        const entry = lookup(catalogs[lang], key);
        expect(entry, `${lang}: ${key}`).toBeDefined();
        const text = typeof entry === 'string' ? entry : entry?.other;
        expect(text, `${lang}: ${key}`).not.toBe('');
      }
    }
  });

  it('the list of error codes here matches generated/ErrorCode.ts', async () => {
    expect(await generatedErrorCodes()).toEqual(errorCodes);
  });

  it('translate every error code in both languages', () => {
    for (const code of errorCodes) {
      for (const lang of ['ja', 'en'] as const) {
        const key = `error.${code}` as MessageKey;
        expect(lookup(catalogs[lang], key), `${lang}: ${key}`).toEqual(expect.any(String));
        expect(translate(lang, key)).not.toBe(key);
      }
    }
    // and nothing beyond them
    expect(Object.keys(ja.error).sort()).toEqual(errorCodes);
    expect(Object.keys(en.error).sort()).toEqual(errorCodes);
  });

  it('use Japanese wording in ja and English wording in en', () => {
    expect(translate('ja', 'nav.settings')).toBe('設定');
    expect(translate('en', 'nav.settings')).toBe('Settings');
  });
});

describe('translate', () => {
  it('picks the English singular only for one', () => {
    expect(translate('en', 'customers.count', { count: 1 })).toBe('1 company');
    expect(translate('en', 'customers.count', { count: 0 })).toBe('0 companies');
    expect(translate('en', 'customers.count', { count: 2 })).toBe('2 companies');
  });

  it('uses other when a plural has no one form', () => {
    expect(translate('en', 'board.cold', { count: 1 })).toBe('Cold 1 d');
    expect(translate('ja', 'customers.count', { count: 1 })).toBe('1社');
  });

  it('groups numbers in interpolated values', () => {
    expect(translate('en', 'customers.count', { count: 12_345 })).toBe('12,345 companies');
    expect(translate('ja', 'customers.count', { count: 12_345 })).toBe('12,345社');
    expect(interpolate('{a} of {b}', 'en', { a: 1_234_567, b: 'many' })).toBe('1,234,567 of many');
  });

  it('leaves string values and unknown placeholders as they are', () => {
    expect(interpolate('{code} {missing}', 'en', { code: '12345' })).toBe('12345 {missing}');
    expect(translate('en', 'common.unknownError', { code: 'new_code' })).toBe(
      'An unexpected error occurred (new_code).',
    );
    expect(interpolate('plain {x}', 'ja')).toBe('plain {x}');
  });

  it('returns a missing key itself', () => {
    expect(translate('en', 'nav.nowhere' as MessageKey)).toBe('nav.nowhere');
    expect(translate('ja', 'no.such.key' as MessageKey)).toBe('no.such.key');
    // A branch is not a message either.
    expect(translate('en', 'nav' as MessageKey)).toBe('nav');
  });

  it('does not treat inherited properties as keys', () => {
    expect(lookup(catalogs.en, 'toString')).toBeUndefined();
    expect(lookup(catalogs.en, 'nav.constructor')).toBeUndefined();
  });
});
