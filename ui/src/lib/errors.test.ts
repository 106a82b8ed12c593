import { describe, expect, it } from 'vitest';
import { errorText, isErrorPayload, toErrorPayload } from './errors';
import type { ErrorCode } from './generated/ErrorCode';
import type { ErrorPayload } from './generated/ErrorPayload';

function payload(code: string, message = 'm'): ErrorPayload {
  return { code: code as ErrorCode, message, field: null, reason: null, current: null };
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
