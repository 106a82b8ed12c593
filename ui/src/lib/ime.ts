import type { Action } from 'svelte/action';

// Japanese input goes through an IME: the user types romaji, sees kana, and
// presses Enter to accept the conversion. That Enter belongs to the IME and
// must never submit a form or run a search.

type KeyInfo = Pick<KeyboardEvent, 'isComposing' | 'keyCode'>;

/**
 * True while the key event is part of an IME composition. `keyCode` 229 is
 * what WebKit (Safari, WebKitGTK) reports for the Enter that ends the
 * composition, after `compositionend` has already cleared `isComposing`.
 */
export function isImeComposing(e: KeyInfo): boolean {
  return e.isComposing || e.keyCode === 229;
}

/** An Enter the user meant for the form, not for the IME. */
export function isSubmitEnter(e: KeyInfo & Pick<KeyboardEvent, 'key'>): boolean {
  return e.key === 'Enter' && !isImeComposing(e);
}

/**
 * The state machine behind `imeSafeSubmit`, apart from the DOM so it can be
 * tested without a browser. It tracks composition itself as well, because
 * not every engine flags every event.
 */
export class ImeSubmitGuard {
  private composing = false;

  constructor(private readonly submit: () => void) {}

  compositionStart(): void {
    this.composing = true;
  }

  compositionEnd(): void {
    this.composing = false;
  }

  /** Returns true when the key must be swallowed (its default prevented). */
  keydown(e: KeyInfo & Pick<KeyboardEvent, 'key'>): boolean {
    return e.key === 'Enter' && (this.composing || isImeComposing(e));
  }

  /** A submit event: runs the handler unless it came out of a composition. */
  submitRequested(): void {
    if (!this.composing) this.submit();
  }
}

/**
 * Use on every `<form>`: `<form use:imeSafeSubmit={save}>`. The form never
 * navigates; `save` runs on a button click or a real Enter, never on the Enter
 * that confirms a Japanese conversion.
 */
export const imeSafeSubmit: Action<HTMLFormElement, () => void> = (form, handler) => {
  let current = handler;
  const guard = new ImeSubmitGuard(() => current());

  const onCompositionStart = (): void => guard.compositionStart();
  const onCompositionEnd = (): void => guard.compositionEnd();
  const onKeydown = (e: KeyboardEvent): void => {
    // Swallowing the key stops the browser's implicit submission.
    if (guard.keydown(e)) e.preventDefault();
  };
  const onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    guard.submitRequested();
  };

  // Capture, so we see the key before any handler inside the form does.
  form.addEventListener('compositionstart', onCompositionStart, true);
  form.addEventListener('compositionend', onCompositionEnd, true);
  form.addEventListener('keydown', onKeydown, true);
  form.addEventListener('submit', onSubmit);

  return {
    update(next) {
      current = next;
    },
    destroy() {
      form.removeEventListener('compositionstart', onCompositionStart, true);
      form.removeEventListener('compositionend', onCompositionEnd, true);
      form.removeEventListener('keydown', onKeydown, true);
      form.removeEventListener('submit', onSubmit);
    },
  };
};
