// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { setLanguage } from '$lib/i18n/i18n.svelte';
import { todayIso } from '$lib/dateInput';
import DateHarness from './test/DateHarness.svelte';

function open(min = '') {
  setLanguage('ja');
  const onclose = vi.fn();
  render(DateHarness, { props: { onclose, min } });
  return { onclose, field: screen.getByTestId('day') as HTMLInputElement };
}

const shown = () => ({ value: screen.getByTestId('value').textContent, invalid: screen.getByTestId('invalid').textContent });

describe('DateInput', () => {
  it('reads what is typed, full-width digits too, and writes it back the language’s way', async () => {
    const { field } = open();
    await fireEvent.input(field, { target: { value: '２０２６／１１／３０' } });
    expect(shown()).toEqual({ value: '2026-11-30', invalid: 'false' });
    await fireEvent.blur(field);
    expect(field.value).toBe('2026/11/30 (月)');
  });

  it('leaves the text alone while an IME composes', async () => {
    const { field } = open();
    await fireEvent.compositionStart(field);
    await fireEvent.input(field, { target: { value: '2026/11/3' } });
    expect(shown().value).toBe('');
    await fireEvent.input(field, { target: { value: '2026/11/30' } });
    await fireEvent.compositionEnd(field);
    expect(shown().value).toBe('2026-11-30');
  });

  it('flags what is not a day, and says how to write one once the field is left', async () => {
    const { field } = open();
    await fireEvent.input(field, { target: { value: '2026/02/30' } });
    expect(shown()).toEqual({ value: '', invalid: 'true' });
    expect(screen.queryByTestId('day-error')).toBeNull();
    await fireEvent.blur(field);
    expect(screen.getByTestId('day-error').textContent).toContain('2026/11/30');
    expect(field.value).toBe('2026/02/30');
  });

  it('refuses a day before its minimum', async () => {
    const { field } = open('2026-11-25');
    await fireEvent.input(field, { target: { value: '2026/11/24' } });
    await fireEvent.blur(field);
    expect(shown().invalid).toBe('true');
    expect(screen.getByTestId('day-error').textContent).toContain('2026/11/25');
  });

  it('opens a calendar from the keyboard; Esc closes the calendar, not the dialog', async () => {
    const { onclose, field } = open();
    await fireEvent.keyDown(field, { key: 'ArrowDown', altKey: true });
    const popup = screen.getByTestId('day-popup');
    const focused = document.activeElement as HTMLElement;
    expect(focused.dataset['day']).toBe(todayIso());
    await fireEvent.keyDown(focused, { key: 'Escape', bubbles: true });
    expect(screen.queryByTestId('day-popup')).toBeNull();
    expect(onclose).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(field);
    void popup;
  });

  it('picks a day with the arrow keys and Enter', async () => {
    const { field } = open();
    await fireEvent.input(field, { target: { value: '2026/11/30' } });
    await fireEvent.click(screen.getByTestId('day-calendar'));
    let focused = document.activeElement as HTMLElement;
    expect(focused.dataset['day']).toBe('2026-11-30');
    await fireEvent.keyDown(focused, { key: 'ArrowRight', bubbles: true });
    focused = document.activeElement as HTMLElement;
    expect(focused.dataset['day']).toBe('2026-12-01');
    await fireEvent.keyDown(focused, { key: 'PageDown', bubbles: true });
    focused = document.activeElement as HTMLElement;
    expect(focused.dataset['day']).toBe('2027-01-01');
    await fireEvent.keyDown(focused, { key: 'Enter', bubbles: true });
    expect(shown().value).toBe('2027-01-01');
    expect(field.value).toBe('2027/01/01 (金)');
    expect(screen.queryByTestId('day-popup')).toBeNull();
  });
});
