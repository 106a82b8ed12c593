import type { BoardColumn } from './generated/BoardColumn';
import type { CardPage } from './generated/CardPage';
import type { DealCard } from './generated/DealCard';
import type { Stage } from './generated/Stage';

// The board's pure logic, apart from the DOM so it is tested without a window.

/**
 * Where a card dropped at height `y` lands among the other cards of a column,
 * given their vertical midpoints in order: before the first card whose middle
 * is below the pointer.
 */
export function dropIndex(midpoints: readonly number[], y: number): number {
  const i = midpoints.findIndex((mid) => y < mid);
  return i === -1 ? midpoints.length : i;
}

/** The same for a virtualised column of fixed-height rows. */
export function dropIndexFixed(offsetY: number, rowHeight: number, count: number): number {
  if (rowHeight <= 0) return count;
  return Math.min(count, Math.max(0, Math.round(offsetY / rowHeight)));
}

/**
 * The board as it looks right after a move, before the backend confirms it:
 * the card leaves its column and enters the target at `index` among the other
 * cards (the ones loaded: a long column holds only its first pages). Counts
 * follow; totals are left for the backend's answer, which replaces this.
 */
export function moveLocally(
  columns: readonly BoardColumn[],
  dealId: string,
  toStageId: string,
  index: number | null,
): BoardColumn[] {
  let moving: DealCard | undefined;
  const without = columns.map((col) => {
    const at = col.cards.findIndex((c) => c.id === dealId);
    if (at === -1) return col;
    moving = col.cards[at];
    const cards = col.cards.filter((c) => c.id !== dealId);
    return { ...col, cards, count: Math.max(0, col.count - 1) };
  });
  if (!moving) return [...columns];
  const card: DealCard = { ...moving, stage_id: toStageId };
  return without.map((col) => {
    if (col.stage.id !== toStageId) return col;
    const cards = [...col.cards];
    const at = index === null ? cards.length : Math.min(Math.max(index, 0), cards.length);
    cards.splice(at, 0, card);
    return { ...col, cards, count: col.count + 1 };
  });
}

/** Where a card is: its column's index and its own index in that column. */
export function locate(columns: readonly BoardColumn[], dealId: string): { column: number; index: number } | null {
  for (let column = 0; column < columns.length; column++) {
    const index = columns[column]?.cards.findIndex((c) => c.id === dealId) ?? -1;
    if (index !== -1) return { column, index };
  }
  return null;
}

export type KeyMove = { toStageId: string; index: number | null } | null;

/**
 * The keyboard way to move a card: Alt+←/→ to the previous or next stage
 * (after the cards that column shows: its bottom, or in a long column the
 * end of what is loaded, so the card stays in sight), Alt+↑/↓ one place up
 * or down in its column.
 */
export function keyboardMove(columns: readonly BoardColumn[], dealId: string, key: string): KeyMove {
  const at = locate(columns, dealId);
  if (!at) return null;
  const column = columns[at.column];
  if (!column) return null;
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowRight': {
      const next = columns[at.column + (key === 'ArrowLeft' ? -1 : 1)];
      if (!next) return null;
      return { toStageId: next.stage.id, index: next.next ? next.cards.length : null };
    }
    case 'ArrowUp':
      return at.index > 0 ? { toStageId: column.stage.id, index: at.index - 1 } : null;
    case 'ArrowDown':
      // Among the other cards, one further down is the current index + 1.
      return at.index < column.cards.length - 1 ? { toStageId: column.stage.id, index: at.index + 1 } : null;
    default:
      return null;
  }
}

/** How many cards each column holds, for a refresh that keeps them all. */
export function loadedCounts(columns: readonly BoardColumn[]): Record<string, number> {
  return Object.fromEntries(columns.map((c) => [c.stage.id, c.cards.length]));
}

/**
 * The board with a column's next page appended. A card already shown (moved
 * there meanwhile) is not repeated.
 */
export function withPage(columns: readonly BoardColumn[], stageId: string, page: CardPage): BoardColumn[] {
  return columns.map((col) => {
    if (col.stage.id !== stageId) return col;
    const shown = new Set(col.cards.map((c) => c.id));
    return { ...col, cards: [...col.cards, ...page.cards.filter((c) => !shown.has(c.id))], next: page.next };
  });
}

/**
 * Won and lost columns start folded into thin columns (they still take a
 * drop): the open stages are what a salesperson works in, and at 1280 px
 * all of them then fit beside each other. `expanded` holds the stages the
 * user unfolded.
 */
export function isCollapsed(stage: Stage, expanded: ReadonlySet<string>): boolean {
  return stage.kind !== 'open' && !expanded.has(stage.id);
}

/** Whether a closed column can be folded at all (open ones always show). */
export function canCollapse(stage: Stage): boolean {
  return stage.kind !== 'open';
}

/** A calendar day `days` after `day` (both "YYYY-MM-DD"), never shifted by a time zone. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) + days * 86_400_000);
  return t.toISOString().slice(0, 10);
}

/** Ask for a decision within two weeks, or the customer forgets (docs/sales-methods.md, "Decision deadline"). */
export const DEADLINE_WARN_DAYS = 14;

/** Whole days from `from` to `to` ("YYYY-MM-DD"). */
export function daysBetween(from: string, to: string): number {
  const f = Date.parse(`${from}T00:00:00Z`);
  const t = Date.parse(`${to}T00:00:00Z`);
  return Math.round((t - f) / 86_400_000);
}

/**
 * A yen amount as typed: "1,200,000", "¥1200000" or full-width "１２０万" is
 * not guessed at — digits (any width), commas and a yen sign only. Returns
 * null for anything else, so the form can say so instead of saving 0.
 */
export function parseAmount(text: string): number | null {
  const plain = text.normalize('NFKC').replace(/[,\s¥￥]/g, '');
  if (plain === '') return 0;
  if (!/^\d+$/.test(plain)) return null;
  const n = Number(plain);
  return Number.isSafeInteger(n) ? n : null;
}
