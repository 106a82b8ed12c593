import { describe, expect, it } from 'vitest';
import { toggled } from './picked';

describe('contacts ticked for a touch', () => {
  it('keep the order they were ticked in, each once', () => {
    let p: string[] = [];
    p = toggled(p, 'yamada', true);
    p = toggled(p, 'ito', true);
    expect(p).toEqual(['yamada', 'ito']);
    p = toggled(p, 'yamada', false);
    expect(p).toEqual(['ito']);
    p = toggled(p, 'yamada', true);
    p = toggled(p, 'yamada', true);
    expect(p).toEqual(['ito', 'yamada']);
    expect(toggled([], 'x', false)).toEqual([]);
  });
});
