// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import SearchBox from './SearchBox.svelte';

// The one search field of the board filter, the customer list and the
// search dialog: it asks once typing pauses, and never for the half-typed
// kana of an IME composition.

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function box() {
  const onsearch = vi.fn();
  render(SearchBox, { props: { value: '', label: '検索', testid: 'box', onsearch, delay: 200 } });
  return { onsearch, input: screen.getByTestId('box') as HTMLInputElement };
}

async function type(input: HTMLInputElement, value: string) {
  input.value = value;
  await fireEvent.input(input);
}

describe('SearchBox', () => {
  it('asks once when typing pauses, with the whole text', async () => {
    const { onsearch, input } = box();
    await type(input, 'a');
    await type(input, 'ac');
    await type(input, 'acm');
    vi.advanceTimersByTime(199);
    expect(onsearch).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onsearch).toHaveBeenCalledOnce();
    expect(onsearch).toHaveBeenCalledWith('acm');
  });

  it('does not ask while an IME composes, and asks for the converted text', async () => {
    const { onsearch, input } = box();
    await fireEvent.compositionStart(input);
    await type(input, 'たなか');
    vi.advanceTimersByTime(1000);
    expect(onsearch).not.toHaveBeenCalled();
    // The browser's last input of the composition carries the converted text.
    await type(input, '田中');
    vi.advanceTimersByTime(1000);
    expect(onsearch).not.toHaveBeenCalled();
    await fireEvent.compositionEnd(input);
    vi.advanceTimersByTime(200);
    expect(onsearch).toHaveBeenCalledExactlyOnceWith('田中');
  });

  it('labels the field for screen readers in the given words', () => {
    box();
    expect(screen.getByLabelText('検索')).toBeTruthy();
  });
});
