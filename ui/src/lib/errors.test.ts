import { describe, expect, it } from 'vitest';
import { errorText, isErrorPayload, toErrorPayload } from './errors';
import type { ErrorCode } from './generated/ErrorCode';
import type { ErrorPayload } from './generated/ErrorPayload';

function payload(code: string, message = 'm'): ErrorPayload {
  return { code: code as ErrorCode, message, field: null, reason: null, current: null };
}

function invalid(field: string | null, reason: string | null): ErrorPayload {
  return { code: 'invalid', message: 'm', field, reason, current: null };
}

describe('toErrorPayload', () => {
  it('keeps a backend payload, including its details', () => {
    const current = { version: 4 };
    const p = toErrorPayload({
      code: 'conflict',
      message: 'stale',
      field: 'name',
      reason: 'version',
      current,
    });
    expect(p).toEqual({ code: 'conflict', message: 'stale', field: 'name', reason: 'version', current });
  });

  it('fills absent optional fields with null', () => {
    expect(toErrorPayload({ code: 'busy', message: 'locked' })).toEqual({
      code: 'busy',
      message: 'locked',
      field: null,
      reason: null,
      current: null,
    });
  });

  it('turns a plain string from Tauri into an internal error carrying the text', () => {
    expect(toErrorPayload('command create_deal not found')).toEqual({
      code: 'internal',
      message: 'command create_deal not found',
      field: null,
      reason: null,
      current: null,
    });
  });

  it('turns an Error into an internal error with its message', () => {
    const p = toErrorPayload(new TypeError('boom'));
    expect(p.code).toBe('internal');
    expect(p.message).toBe('boom');
  });

  it('does not take a look-alike for a payload', () => {
    expect(isErrorPayload({ code: 'busy' })).toBe(false);
    expect(isErrorPayload({ code: 3, message: 'x' })).toBe(false);
    expect(isErrorPayload(null)).toBe(false);
    expect(toErrorPayload({ code: 'busy' }).code).toBe('internal');
    expect(toErrorPayload(undefined)).toMatchObject({ code: 'internal', message: 'undefined' });
  });
});

describe('errorText', () => {
  it('translates a known code in both languages', () => {
    expect(errorText(payload('busy'), 'en')).toBe('The database is busy. Please try again in a moment.');
    expect(errorText(payload('busy'), 'ja')).toBe('データベースが使用中です。しばらくしてからもう一度お試しください。');
    expect(errorText(payload('not_kizuna'), 'en')).toBe('This is not a Kizuna database file.');
  });

  it('gives an unknown code a readable sentence that names it', () => {
    expect(errorText(payload('quota_exceeded'), 'en')).toBe('An unexpected error occurred (quota_exceeded).');
    expect(errorText(payload('quota_exceeded'), 'ja')).toBe('予期しないエラーが発生しました（quota_exceeded）');
  });

  it('does not treat an inherited property name as a known code', () => {
    expect(errorText(payload('toString'), 'en')).toBe('An unexpected error occurred (toString).');
  });
});

describe('errorText for validation errors', () => {
  it('prefers the wording for the field and reason together', () => {
    expect(errorText(invalid('stages', 'stage_has_deals'), 'ja')).toBe(
      'このステージには案件があるため削除できません。先に案件を移動してください。',
    );
    expect(errorText(invalid('probability', 'range'), 'en')).toBe(
      'Win probability must be a whole number from 0 to 100.',
    );
    expect(errorText(invalid('decision_deadline_days', 'range'), 'ja')).toBe('決断期限は1〜90日の範囲で入力してください。');
    expect(errorText(invalid('pipeline', 'last'), 'en')).toBe('The last pipeline cannot be deleted.');
  });

  it('says in both languages why a mail address was refused', () => {
    expect(errorText(invalid('email', 'several'), 'ja')).toBe(
      'メールアドレスは1件だけ入力してください（カンマやスペースで区切って複数は入れられません）。',
    );
    expect(errorText(invalid('email', 'several'), 'en')).toBe('Enter one mail address only (several cannot be separated by commas or spaces).');
    expect(errorText(invalid('email', 'format'), 'ja')).toBe('メールアドレスの形式が正しくありません（例: hanako@example.co.jp）。');
    expect(errorText(invalid('email', 'format'), 'en')).toBe('This is not a mail address (e.g. hanako@example.co.jp).');
    expect(errorText(invalid('contact_ids', 'other_company'), 'en')).toMatch(/not one of this customer’s/);
  });

  it('falls back to the wording for the reason alone', () => {
    // No invalid.amount.* wording exists; invalid.negative does.
    expect(errorText(invalid('amount', 'negative'), 'en')).toBe('Enter zero or more.');
    expect(errorText(invalid('expected_close', 'past'), 'ja')).toBe('過去の日付は指定できません。');
    // A known field with a reason it has no own wording for.
    expect(errorText(invalid('probability', 'format'), 'en')).toBe('This is not in a valid format.');
    expect(errorText(invalid(null, 'required'), 'en')).toBe('This field is required.');
  });

  it('falls back to the generic invalid sentence for an unknown or absent reason', () => {
    expect(errorText(invalid('probability', 'sideways'), 'en')).toBe('Some of the input is not valid.');
    expect(errorText(invalid('probability', null), 'ja')).toBe('入力内容に誤りがあります。');
    expect(errorText(invalid(null, null), 'en')).toBe('Some of the input is not valid.');
  });

  it('never takes a branch or an inherited property for a message', () => {
    // invalid.stages is a group of messages, not one.
    expect(errorText(invalid(null, 'stages'), 'en')).toBe('Some of the input is not valid.');
    expect(errorText(invalid('stages', 'toString'), 'en')).toBe('Some of the input is not valid.');
    expect(errorText(invalid('__proto__', 'constructor'), 'en')).toBe('Some of the input is not valid.');
    expect(errorText(invalid('required', 'x'), 'en')).toBe('Some of the input is not valid.');
  });

  it('uses field and reason only for invalid, not for other codes', () => {
    const conflict: ErrorPayload = { ...invalid('stages', 'stage_has_deals'), code: 'conflict' };
    expect(errorText(conflict, 'en')).toBe(errorText(payload('conflict'), 'en'));
  });

  it('has a wording in both languages for every reason the engine and the deal dialog use', () => {
    const reasons = [
      'required', 'too_long', 'negative', 'format', 'past', 'range', 'duplicate', 'unknown', 'other_company',
      'other_pipeline', 'blank', 'too_many', 'open_only', 'no_open_stage', 'won_lost_required', 'stage_has_deals',
      'kind_change_has_deals', 'duplicate_id', 'unknown_stage', 'has_deals', 'last',
    ];
    for (const lang of ['ja', 'en'] as const) {
      const generic = errorText(invalid(null, null), lang);
      for (const reason of reasons) {
        expect(errorText(invalid('no_such_field', reason), lang), `${lang}: ${reason}`).not.toBe(generic);
      }
    }
  });
});
