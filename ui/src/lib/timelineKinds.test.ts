import { describe, expect, it } from 'vitest';
import { FILTERS, LOGGABLE } from './timelineKinds';

describe('the timeline filter chips', () => {
  it('have a chip for every kind an entry can have, SNS and contracts included', () => {
    for (const k of LOGGABLE) expect(FILTERS).toContain(k);
    // Written by the engine: a deal moving (pipeline/deal.rs), a contract and its renewal steps (contracts/).
    expect(FILTERS).toContain('stage_change');
    expect(FILTERS).toContain('contract');
    // Hand-off steps (handoff/): sent, asked, answered, acknowledged, handed to sales.
    expect(FILTERS).toContain('handoff');
    expect(FILTERS).toContain('sns');
    expect(FILTERS[0]).toBe('all');
    expect(new Set(FILTERS).size).toBe(FILTERS.length);
  });
});
