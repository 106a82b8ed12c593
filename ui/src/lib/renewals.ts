import type { RenewalCard } from './generated/RenewalCard';
import type { RenewalStep } from './generated/RenewalStep';
import type { TimeLeft } from './generated/TimeLeft';

export type RenewalMode = 'time' | 'step';

/** The board's columns by time left, the soonest end on the right as on a calendar. */
export const TIME_COLUMNS: readonly TimeLeft[] = ['more_than60', 'from60_to30', 'under30', 'past_end'];

/** The board's columns by renewal step, in the order the work goes. */
export const STEP_COLUMNS: readonly RenewalStep[] = [
  'not_started',
  'hearing',
  'proposal',
  'procedure',
  'post_renewal',
  'renewed',
  'churned',
];

const RANK: Record<RenewalStep, number> = {
  not_started: 0,
  hearing: 1,
  proposal: 2,
  procedure: 3,
  post_renewal: 4,
  renewed: 5,
  churned: 6,
};

/** The steps a contract may move to, as the engine allows them (forward only). */
export function nextSteps(step: RenewalStep): RenewalStep[] {
  if (step === 'renewed' || step === 'churned') return [];
  if (step === 'post_renewal') return ['renewed'];
  const ahead = (['hearing', 'proposal', 'procedure', 'post_renewal'] as const).filter((s) => RANK[s] >= RANK[step]);
  return [...ahead, 'churned'];
}

/** Steps that ask for details before they are recorded. */
export function needsDialog(step: RenewalStep): boolean {
  return step === 'hearing' || step === 'proposal' || step === 'post_renewal' || step === 'churned';
}

/** Cards per column; in time mode only running contracts (decided ones have no time left to manage). */
export function columnsOf(cards: readonly RenewalCard[], mode: RenewalMode): Map<string, RenewalCard[]> {
  const cols = new Map<string, RenewalCard[]>();
  for (const c of mode === 'time' ? TIME_COLUMNS : STEP_COLUMNS) cols.set(c, []);
  for (const card of cards) {
    if (mode === 'time') {
      if (card.status === 'active' || card.status === 'in_renewal') cols.get(card.time_left)?.push(card);
    } else {
      cols.get(card.step)?.push(card);
    }
  }
  return cols;
}

/** A calendar day in the user's zone, YYYY-MM-DD, `days` from `from`. */
export function localDay(days = 0, from: Date = new Date()): string {
  const d = new Date(from.getFullYear(), from.getMonth(), from.getDate() + days);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A share as a percentage for display, or null when there is nothing to divide. */
export function percent(share: number | null): string | null {
  return share === null ? null : `${Math.round(share * 1000) / 10}%`;
}
