import { describe, expect, it } from 'vitest';
import { MAX_TOASTS, stacked, type Toast } from './toast.svelte';

const toast = (id: number, kind: Toast['kind'] = 'success', key?: string): Toast => ({ id, kind, text: `t${id}`, key });

describe('stacked', () => {
  it('keeps at most a few, dropping calm notices before errors', () => {
    let items: Toast[] = [];
    items = stacked(items, toast(1, 'error'));
    for (let i = 2; i <= 6; i++) items = stacked(items, toast(i));
    expect(items.length).toBe(MAX_TOASTS);
    expect(items.map((t) => t.id)).toEqual([1, 4, 5, 6]);
  });

  it('replaces a notice with the same key instead of piling up', () => {
    let items = stacked([], toast(1, 'error', 'notify-failed'));
    items = stacked(items, toast(2));
    items = stacked(items, toast(3, 'error', 'notify-failed'));
    expect(items.map((t) => t.id)).toEqual([2, 3]);
  });

  it('drops the oldest error when only errors are left', () => {
    let items: Toast[] = [];
    for (let i = 1; i <= 5; i++) items = stacked(items, toast(i, 'error'));
    expect(items.map((t) => t.id)).toEqual([2, 3, 4, 5]);
  });
});
