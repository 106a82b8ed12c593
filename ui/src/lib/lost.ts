/** What was said about a lost deal, as the stage-change entry keeps it. */
export type LostFacts = {
  reason: string;
  lostTo: string | null;
  detail: string | null;
  reapproachOn: string | null;
};

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * The loss recorded in a stage change's body (JSON written by the engine
 * when a deal moves to 失注); null for any other move or an unreadable body.
 */
export function lostFacts(body: string): LostFacts | null {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  const reason = text(d['lost_reason']);
  if (reason === null) return null;
  return { reason, lostTo: text(d['lost_to']), detail: text(d['lost_detail']), reapproachOn: text(d['reapproach_on']) };
}
