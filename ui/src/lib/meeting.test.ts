import { describe, expect, it } from 'vitest';
import { itemCount, keepPosition, mondayOf, shiftWeek, step } from './meeting';
import type { Meeting } from './generated/Meeting';
import type { MeetingMember } from './generated/MeetingMember';

function member(id: string | null, moved = 0): MeetingMember {
  return {
    member_id: id,
    name: id,
    active: true,
    moved: Array.from({ length: moved }, () => ({}) as MeetingMember['moved'][number]),
    cold: [],
    deadlines: [],
    lost: [],
    overdue: [],
  };
}

function meeting(ids: (string | null)[]): Meeting {
  return { week_start: '2026-11-23', week_end: '2026-11-29', today: '2026-11-25', current: true, members: ids.map((i) => member(i)) };
}

describe('shiftWeek', () => {
  it('moves by whole weeks across month and year ends', () => {
    expect(shiftWeek('2026-11-23', -1)).toBe('2026-11-16');
    expect(shiftWeek('2026-11-30', -1)).toBe('2026-11-23');
    expect(shiftWeek('2026-12-28', 1)).toBe('2027-01-04');
    expect(shiftWeek('2024-03-04', -1)).toBe('2024-02-26');
  });
});

describe('step', () => {
  it('goes forward and back and stops at the ends', () => {
    expect(step(0, 3, 'ArrowRight')).toBe(1);
    expect(step(2, 3, 'ArrowRight')).toBe(2);
    expect(step(1, 3, 'ArrowLeft')).toBe(0);
    expect(step(0, 3, 'ArrowLeft')).toBe(0);
    expect(step(1, 3, 'End')).toBe(2);
    expect(step(2, 3, 'Home')).toBe(0);
    expect(step(1, 3, 'x')).toBe(1);
    expect(step(0, 0, 'ArrowRight')).toBe(0);
  });
});

describe('itemCount and keepPosition', () => {
  it('counts every section', () => {
    expect(itemCount(member('a', 2))).toBe(2);
    expect(itemCount(member('a'))).toBe(0);
  });
  it('stays on the same member when a refresh reorders the list', () => {
    expect(keepPosition(member('b'), meeting(['a', 'c', 'b']), 1)).toBe(2);
    expect(keepPosition(member('gone'), meeting(['a', 'c']), 5)).toBe(1);
    expect(keepPosition(undefined, meeting(['a', 'c']), 0)).toBe(0);
  });
});

describe('mondayOf', () => {
  it('starts the week on Monday', () => {
    expect(mondayOf('2026-11-23')).toBe('2026-11-23');
    expect(mondayOf('2026-11-29')).toBe('2026-11-23');
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(mondayOf('2027-01-02')).toBe('2026-12-28');
  });
});
