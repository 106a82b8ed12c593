import type { ActivityKind } from './generated/ActivityKind';

/** What a person logs (and may later correct) on the timeline. */
export const LOGGABLE: readonly ActivityKind[] = ['meeting', 'call', 'email', 'sns', 'note', 'quote', 'support'];

/**
 * The timeline's filter chips: every kind an entry can have. People log
 * the LOGGABLE kinds; the engine writes stage changes (a deal moved) and
 * contract entries (a contract added, a renewal step). Hand-offs and
 * system entries are never written today, so they have no chip.
 */
export const FILTERS: readonly (ActivityKind | 'all')[] = ['all', ...LOGGABLE, 'stage_change', 'contract'];
