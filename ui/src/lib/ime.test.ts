import { describe, expect, it } from 'vitest';
import { ImeSubmitGuard, isImeComposing, isSubmitEnter } from './ime';

type Key = { key: string; isComposing: boolean; keyCode: number };

const enter: Key = { key: 'Enter', isComposing: false, keyCode: 13 };
const composingEnter: Key = { key: 'Enter', isComposing: true, keyCode: 13 };
// WebKit: the Enter that accepts a conversion, after compositionend cleared isComposing.
const webkitImeEnter: Key = { key: 'Enter', isComposing: false, keyCode: 229 };

function guarded(): { guard: ImeSubmitGuard; submits: () => number } {
  let count = 0;
  const guard = new ImeSubmitGuard(() => {
    count += 1;
  });
  return { guard, submits: () => count };
}

describe('isImeComposing / isSubmitEnter', () => {
  it('sees a composition by the flag or by keyCode 229', () => {
    expect(isImeComposing(composingEnter)).toBe(true);
    expect(isImeComposing(webkitImeEnter)).toBe(true);
    expect(isImeComposing(enter)).toBe(false);
  });

  it('accepts only a plain Enter as a submit', () => {
    expect(isSubmitEnter(enter)).toBe(true);
    expect(isSubmitEnter(composingEnter)).toBe(false);
    expect(isSubmitEnter(webkitImeEnter)).toBe(false);
    expect(isSubmitEnter({ key: 'a', isComposing: false, keyCode: 65 })).toBe(false);
    expect(isSubmitEnter({ key: 'Tab', isComposing: false, keyCode: 9 })).toBe(false);
  });
});

describe('ImeSubmitGuard', () => {
  it('swallows an Enter flagged as composing', () => {
    const { guard, submits } = guarded();
    expect(guard.keydown(composingEnter)).toBe(true);
    expect(submits()).toBe(0);
  });

  it('swallows the keyCode 229 Enter even after compositionend', () => {
    const { guard, submits } = guarded();
    guard.compositionStart();
    guard.compositionEnd();
    expect(guard.keydown(webkitImeEnter)).toBe(true);
    expect(submits()).toBe(0);
  });

  it('swallows Enter during a composition the event itself does not flag', () => {
    const { guard } = guarded();
    guard.compositionStart();
    expect(guard.keydown(enter)).toBe(true);
  });

  it('does not submit when a submit is requested during a composition', () => {
    const { guard, submits } = guarded();
    guard.compositionStart();
    guard.submitRequested();
    expect(submits()).toBe(0);
  });

  it('lets a real Enter submit once the composition has ended', () => {
    const { guard, submits } = guarded();
    guard.compositionStart();
    expect(guard.keydown(composingEnter)).toBe(true);
    guard.compositionEnd();
    expect(guard.keydown(enter)).toBe(false);
    guard.submitRequested();
    expect(submits()).toBe(1);
  });

  it('never swallows other keys and submits without any composition', () => {
    const { guard, submits } = guarded();
    guard.compositionStart();
    expect(guard.keydown({ key: 'a', isComposing: true, keyCode: 229 })).toBe(false);
    guard.compositionEnd();
    expect(guard.keydown(enter)).toBe(false);
    guard.submitRequested();
    guard.submitRequested();
    expect(submits()).toBe(2);
  });
});
