import { describe, expect, it } from 'vitest';
import { inView, placeMenu } from './placement';

const window_ = { width: 1280, height: 800 };
const menu = { width: 180, height: 160 };
const button = (top: number, right = 600) => ({ top, bottom: top + 24, left: right - 60, right });

describe('placeMenu', () => {
  it('opens below its button, right edges lined up', () => {
    expect(placeMenu(button(100), menu, window_)).toEqual({ top: 128, left: 420 });
  });

  it('opens above a button near the bottom of the window (the last card of a lane)', () => {
    expect(placeMenu(button(740), menu, window_)).toEqual({ top: 740 - 4 - 160, left: 420 });
  });

  it('stays inside a window too small either way', () => {
    const tall = { width: 180, height: 700 };
    const p = placeMenu(button(380), tall, window_);
    expect(p.top).toBeGreaterThanOrEqual(8);
    expect(p.top + tall.height).toBeLessThanOrEqual(800 - 8);
  });

  it('never leaves the window sideways', () => {
    expect(placeMenu(button(100, 120), menu, window_).left).toBe(8);
    expect(placeMenu({ top: 100, bottom: 124, left: 1250, right: 1278 }, menu, window_, 'start').left).toBe(1280 - 8 - 180);
  });

  it('lines a calendar up with the field\'s left edge', () => {
    expect(placeMenu({ top: 100, bottom: 130, left: 300, right: 480 }, { width: 252, height: 290 }, window_, 'start')).toEqual({ top: 134, left: 300 });
  });
});

describe('inView', () => {
  it('tells whether the anchor is still on screen', () => {
    expect(inView(button(100), window_)).toBe(true);
    expect(inView(button(-40), window_)).toBe(false);
    expect(inView(button(820), window_)).toBe(false);
  });
});
