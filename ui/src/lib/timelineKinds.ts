import type { ActivityKind } from './generated/ActivityKind';

/** What a person logs (and may later correct) on the timeline. */
export const LOGGABLE: readonly ActivityKind[] = ['meeting', 'call', 'email', 'sns', 'note', 'quote', 'support'];

/**
 * The timeline's filter chips: every kind an entry can have. People log
 * the LOGGABLE kinds; the engine writes stage changes (a deal moved),
 * contract entries (a contract added, a renewal step) and hand-off steps
 * (a sheet sent, questioned, acknowledged; a case handed to sales). System
 * entries (a deletion undone) are rare enough to need no chip.
 */
export const FILTERS: readonly (ActivityKind | 'all')[] = ['all', ...LOGGABLE, 'stage_change', 'contract', 'handoff'];
