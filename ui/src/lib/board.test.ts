import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  dropIndex,
  dropIndexFixed,
  isCollapsed,
  keyboardMove,
  loadedCounts,
  locate,
  moveLocally,
  parseAmount,
  withPage,
} from './board';
import type { BoardColumn } from './generated/BoardColumn';
import type { DealCard } from './generated/DealCard';

function card(id: string, stage: string, amount = 100): DealCard {
  return {
    id, version: 1, stage_id: stage, title: id, company_id: 'c', company_name: 'C', amount, currency: 'JPY',
    owner_id: null, owner_name: null, next_step: 'none', next_follow_up_at: null, cold_days: null,
    decision_deadline: null, deadline_days_left: null, signal_count: 0, from_case: null, position: 0, lost_reason: null, reapproach_on: null,
  } as DealCard;
}

function column(stage: string, ids: string[], more = 0): BoardColumn {
  return {
    stage: { id: stage, pipeline_id: 'p', name: stage, position: 0, probability: 50, idle_days: 7, kind: 'open', is_closing: false, version: 1 },
    count: ids.length + more,
    totals: [],
    cards: ids.map((id) => card(id, stage)),
    next: more > 0 ? { position: ids.length, id: ids[ids.length - 1] ?? '' } : null,
  };
}

const board = () => [column('a', ['1', '2', '3']), column('b', ['4']), column('c', [])];

describe('dropIndex', () => {
  it('lands before the first card whose middle is below the pointer', () => {
    expect(dropIndex([10, 30, 50], 5)).toBe(0);
    expect(dropIndex([10, 30, 50], 29)).toBe(1);
    expect(dropIndex([10, 30, 50], 31)).toBe(2);
    expect(dropIndex([10, 30, 50], 99)).toBe(3);
    expect(dropIndex([], 10)).toBe(0);
  });
  it('rounds to the nearest gap in a fixed-height column and stays in range', () => {
    expect(dropIndexFixed(0, 100, 5)).toBe(0);
    expect(dropIndexFixed(149, 100, 5)).toBe(1);
    expect(dropIndexFixed(151, 100, 5)).toBe(2);
    expect(dropIndexFixed(-40, 100, 5)).toBe(0);
    expect(dropIndexFixed(10_000, 100, 5)).toBe(5);
  });
});

describe('moveLocally', () => {
  it('moves a card to another column at the index and fixes both counts', () => {
    const after = moveLocally(board(), '2', 'b', 0);
    expect(after[0]?.cards.map((c) => c.id)).toEqual(['1', '3']);
    expect(after[0]?.count).toBe(2);
    expect(after[1]?.cards.map((c) => c.id)).toEqual(['2', '4']);
    expect(after[1]?.cards[0]?.stage_id).toBe('b');
    expect(after[1]?.count).toBe(2);
  });
  it('appends when the index is null and reorders inside one column', () => {
    expect(moveLocally(board(), '1', 'c', null)[2]?.cards.map((c) => c.id)).toEqual(['1']);
    expect(moveLocally(board(), '1', 'a', 2)[0]?.cards.map((c) => c.id)).toEqual(['2', '3', '1']);
  });
  it('counts the cards not loaded yet in a long column', () => {
    const long = [column('a', ['1', '2'], 40), column('b', ['3'], 10)];
    const after = moveLocally(long, '1', 'b', 1);
    expect(after[0]?.count).toBe(41);
    expect(after[1]?.count).toBe(12);
    expect(after[1]?.cards.map((c) => c.id)).toEqual(['3', '1']);
  });
  it('leaves the board alone for an unknown card and does not mutate the input', () => {
    const b = board();
    moveLocally(b, '2', 'b', 0);
    expect(b[0]?.cards.map((c) => c.id)).toEqual(['1', '2', '3']);
    expect(moveLocally(b, 'nope', 'b', 0)[1]?.cards.map((c) => c.id)).toEqual(['4']);
  });
});

describe('keyboardMove', () => {
  it('moves between neighbouring stages and within a column', () => {
    expect(keyboardMove(board(), '4', 'ArrowLeft')).toEqual({ toStageId: 'a', index: null });
    expect(keyboardMove(board(), '4', 'ArrowRight')).toEqual({ toStageId: 'c', index: null });
    expect(keyboardMove(board(), '2', 'ArrowUp')).toEqual({ toStageId: 'a', index: 0 });
    expect(keyboardMove(board(), '2', 'ArrowDown')).toEqual({ toStageId: 'a', index: 2 });
  });
  it('into a long column, lands after the cards it shows so the card stays in sight', () => {
    const b = [column('a', ['1']), column('b', ['2', '3'], 500)];
    expect(keyboardMove(b, '1', 'ArrowRight')).toEqual({ toStageId: 'b', index: 2 });
  });
  it('goes nowhere past the edges or for other keys', () => {
    expect(keyboardMove(board(), '1', 'ArrowLeft')).toBeNull();
    expect(keyboardMove(board(), '1', 'ArrowUp')).toBeNull();
    expect(keyboardMove(board(), '3', 'ArrowDown')).toBeNull();
    expect(keyboardMove(board(), '1', 'Enter')).toBeNull();
    expect(locate(board(), '4')).toEqual({ column: 1, index: 0 });
  });
});

describe('paging', () => {
  it('appends a page without repeating a card and takes its cursor', () => {
    const b = [column('a', ['1', '2'], 3), column('b', ['4'])];
    const page = { cards: [card('2', 'a'), card('5', 'a')], next: null };
    const after = withPage(b, 'a', page);
    expect(after[0]?.cards.map((c) => c.id)).toEqual(['1', '2', '5']);
    expect(after[0]?.next).toBeNull();
    expect(after[1]).toBe(b[1]);
    expect(loadedCounts(after)).toEqual({ a: 3, b: 1 });
  });
});

describe('isCollapsed', () => {
  it('folds won and lost columns until the user unfolds them; open ones never', () => {
    const stage = (kind: 'open' | 'won' | 'lost') => ({ ...column('s', []).stage, id: kind, kind });
    expect(isCollapsed(stage('open'), new Set())).toBe(false);
    expect(isCollapsed(stage('won'), new Set())).toBe(true);
    expect(isCollapsed(stage('lost'), new Set())).toBe(true);
    expect(isCollapsed(stage('lost'), new Set(['lost']))).toBe(false);
  });
});

describe('calendar days', () => {
  it('adds days across month and leap-year ends', () => {
    expect(addDays('2026-11-25', 14)).toBe('2026-12-09');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-11-25', '2026-12-09')).toBe(14);
    expect(daysBetween('2026-11-25', '2026-11-24')).toBe(-1);
  });
});

describe('parseAmount', () => {
  it('accepts digits of any width with commas and a yen sign', () => {
    expect(parseAmount('1,200,000')).toBe(1_200_000);
    expect(parseAmount('¥ 350000')).toBe(350_000);
    expect(parseAmount('１２３４')).toBe(1234);
    expect(parseAmount('')).toBe(0);
  });
  it('refuses what it would have to guess', () => {
    expect(parseAmount('120万')).toBeNull();
    expect(parseAmount('-5')).toBeNull();
    expect(parseAmount('1.5')).toBeNull();
    expect(parseAmount('99999999999999999999')).toBeNull();
  });
});
