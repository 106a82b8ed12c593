// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import ConflictPanel from './ConflictPanel.svelte';

// A colleague saved first: their values and the user's side by side, and
// nothing happens until the user picks one.

function panel(props: Partial<{ rows: { key: string; label: string; theirs: string; mine: string }[]; busy: boolean; note: string | null }> = {}) {
  const onkeeptheirs = vi.fn();
  const onapplymine = vi.fn();
  render(ConflictPanel, {
    props: {
      rows: [
        { key: 'amount', label: '金額', theirs: '500000', mine: '650000' },
        { key: 'notes', label: 'メモ', theirs: '', mine: '値引き交渉中' },
      ],
      who: '鈴木',
      onkeeptheirs,
      onapplymine,
      ...props,
    },
  });
  return { onkeeptheirs, onapplymine };
}

describe('ConflictPanel', () => {
  it('shows each differing field as theirs beside mine, an empty one as a dash', () => {
    panel();
    const rows = screen.getAllByTestId('conflict-row');
    expect(rows.map((r) => r.dataset.field)).toEqual(['amount', 'notes']);
    expect(screen.getAllByTestId('conflict-theirs').map((c) => c.textContent)).toEqual(['500000', '—']);
    expect(screen.getAllByTestId('conflict-mine').map((c) => c.textContent)).toEqual(['650000', '値引き交渉中']);
  });

  it('does nothing until the user chooses, then does what they chose', async () => {
    const { onkeeptheirs, onapplymine } = panel();
    expect(onkeeptheirs).not.toHaveBeenCalled();
    expect(onapplymine).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId('conflict-apply-mine'));
    expect(onapplymine).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByTestId('conflict-keep-theirs'));
    expect(onkeeptheirs).toHaveBeenCalledOnce();
  });

  it('cannot be answered twice while the first answer is saving', () => {
    panel({ busy: true });
    expect((screen.getByTestId('conflict-apply-mine') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('conflict-keep-theirs') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says what happened instead of a table when there are no fields to compare', () => {
    panel({ rows: [], note: 'カードは別の列に移されました' });
    expect(screen.queryAllByTestId('conflict-row')).toHaveLength(0);
    expect(screen.getByTestId('conflict-panel').textContent).toContain('カードは別の列に移されました');
  });
});
