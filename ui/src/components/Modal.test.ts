// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ModalHarness from './test/ModalHarness.svelte';

// The close rules every dialog shares (components/Modal.svelte): ✕, Cancel,
// Esc wherever the focus is, a click on the backdrop; never losing what
// was typed without asking.

function open(testid = 'harness', closable = true) {
  const onclose = vi.fn();
  render(ModalHarness, { props: { testid, onclose, closable } });
  return { onclose, dialog: screen.getByTestId(testid), field: screen.getByTestId(`${testid}-field`) as HTMLInputElement };
}

const esc = (target: Element | Document = document.activeElement ?? document.body, init: KeyboardEventInit = {}) =>
  fireEvent.keyDown(target, { key: 'Escape', bubbles: true, ...init });

function backdropOf(dialog: HTMLElement): HTMLElement {
  const b = dialog.closest<HTMLElement>('[data-testid="modal-backdrop"]');
  if (!b) throw new Error('no backdrop');
  return b;
}

describe('Modal', () => {
  it('takes the focus when it opens, so Esc works without a click inside', async () => {
    const { onclose, field } = open();
    expect(document.activeElement).toBe(field);
    await esc();
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('closes on Esc even when the focus is outside it', async () => {
    const { onclose } = open();
    (document.activeElement as HTMLElement).blur();
    expect(document.activeElement).toBe(document.body);
    await esc(document.body);
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('closes by its ✕ and by its Cancel button', async () => {
    const first = open('one');
    await fireEvent.click(screen.getByTestId('one').querySelector('[data-testid="modal-close"]') as Element);
    expect(first.onclose).toHaveBeenCalledOnce();
    const second = open('two');
    await fireEvent.click(screen.getByTestId('two-cancel'));
    expect(second.onclose).toHaveBeenCalledOnce();
  });

  it('closes on a click on the backdrop, not on one inside or one dragged out of a field', async () => {
    const { onclose, dialog, field } = open();
    await fireEvent.pointerDown(dialog);
    await fireEvent.click(dialog);
    // A text selection that starts in the field and ends over the backdrop.
    await fireEvent.pointerDown(field);
    await fireEvent.click(backdropOf(dialog));
    expect(onclose).not.toHaveBeenCalled();
    await fireEvent.pointerDown(backdropOf(dialog));
    await fireEvent.click(backdropOf(dialog));
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('leaves an Esc that ends an IME conversion to the IME', async () => {
    const { onclose } = open();
    await esc(document.activeElement as Element, { isComposing: true });
    expect(onclose).not.toHaveBeenCalled();
  });

  it('asks before discarding what was typed, by every way of closing', async () => {
    const { onclose, dialog, field } = open();
    await fireEvent.input(field, { target: { value: '山田商事' } });
    expect(dialog.dataset['dirty']).toBe('true');

    const ways: [string, () => Promise<unknown>][] = [
      ['Esc', () => esc()],
      ['✕', () => fireEvent.click(dialog.querySelector('[data-testid="modal-close"]') as Element)],
      ['Cancel', () => fireEvent.click(screen.getByTestId('harness-cancel'))],
      ['backdrop', async () => {
        await fireEvent.pointerDown(backdropOf(dialog));
        await fireEvent.click(backdropOf(dialog));
      }],
    ];
    for (const [way, close] of ways) {
      await close();
      expect(onclose, way).not.toHaveBeenCalled();
      expect(screen.getByTestId('modal-discard-question'), way).toBeTruthy();
      expect(document.activeElement, way).toBe(screen.getByTestId('modal-keep-editing'));
      // A second Esc means "no, keep editing", never "yes, discard".
      await esc();
      expect(screen.queryByTestId('modal-discard-question'), way).toBeNull();
      expect(field.value, way).toBe('山田商事');
    }

    await esc();
    await fireEvent.click(screen.getByTestId('modal-discard'));
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('closes only the dialog on top', async () => {
    const under = open('under');
    const over = open('over');
    await esc();
    expect(over.onclose).toHaveBeenCalledOnce();
    expect(under.onclose).not.toHaveBeenCalled();
  });

  it('keeps Tab inside the dialog', async () => {
    const { dialog } = open();
    const buttons = [...dialog.querySelectorAll<HTMLElement>('button')];
    const last = buttons[buttons.length - 1] as HTMLElement;
    last.focus();
    await fireEvent.keyDown(last, { key: 'Tab', bubbles: true });
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).not.toBe(last);
  });

  it('has no way out for a question that must be answered (who you are)', async () => {
    const { onclose, dialog } = open('must', false);
    expect(dialog.querySelector('[data-testid="modal-close"]')).toBeNull();
    expect(screen.queryByTestId('must-cancel')).toBeNull();
    await esc();
    await fireEvent.pointerDown(backdropOf(dialog));
    await fireEvent.click(backdropOf(dialog));
    expect(onclose).not.toHaveBeenCalled();
  });
});
