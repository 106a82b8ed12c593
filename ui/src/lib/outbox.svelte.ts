import { onOutbox } from './generated/events';
import { api } from './api';
import { toErrorPayload } from './errors';
import type { OutboxCounts } from './generated/OutboxCounts';
import { t } from './i18n/i18n.svelte';
import { toasts } from './toast.svelte';

/**
 * This computer's outbox: work saved while the team database could not be
 * reached. The backend sends it when the share answers again and tells the
 * window the counts (`outbox` event); conflicts wait for the user.
 */
class OutboxState {
  counts = $state<OutboxCounts>({ pending: 0, attention: 0 });
  private started = false;

  async refresh(): Promise<void> {
    try {
      this.counts = await api.outboxCounts();
    } catch {
      // No database open: nothing can wait for it.
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await onOutbox((counts) => (this.counts = counts));
    await this.refresh();
    // Work left from a previous run goes out now if the share answers.
    if (this.counts.pending > 0) await api.drainOutbox().catch(() => {});
  }
}

export const outbox = new OutboxState();

/**
 * A save that came back `queued` did not fail: the work waits in the outbox
 * (the share was away, or colleagues' saves kept the file busy too long).
 * Says so and returns true, so the form closes as after a save.
 */
export function keptInOutbox(reason: unknown): boolean {
  const payload = toErrorPayload(reason);
  if (payload.code !== 'queued') return false;
  toasts.show(t(queuedMessage(payload.reason)), 'info', 10000);
  return true;
}

/** Why a save was kept in the outbox, as a message. */
export function queuedMessage(reason: string | null): 'outbox.keptBusy' | 'error.queued' {
  return reason === 'busy' ? 'outbox.keptBusy' : 'error.queued';
}
