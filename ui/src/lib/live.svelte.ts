import { onDataChanged, onDbReachability, onSaveWait } from './generated/events';
import { onMount } from 'svelte';
import { api } from './api';
import { touches, type Entity } from './changes';
import type { ChangeBatch } from './generated/ChangeBatch';
import type { ErrorPayload } from './generated/ErrorPayload';
import type { Waiting } from './generated/Waiting';
import type { MessageKey, Params } from './i18n/i18n.svelte';

type Subscriber = { entities: readonly Entity[]; ids?: () => ReadonlySet<string>; refresh: () => void };

/**
 * Live refresh: the backend probes the team file twice a second and sends
 * what changed (`data-changed`); each open view subscribes to the records it
 * shows and reloads just those. Forms and dialogs keep their own state, so a
 * colleague's change never wipes what the user is typing. The same probe
 * says whether the share answers (`db-reachability`). A save waiting its turn
 * behind colleagues' saves is reported too (`save-wait`), for "saving…".
 */
class Live {
  reachable = $state(true);
  error = $state<ErrorPayload | null>(null);
  /** A save of this desktop waiting for colleagues' saves, or null. */
  waiting = $state<Waiting | null>(null);
  private subscribers = new Set<Subscriber>();
  private started = false;

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await onDataChanged((batch) => this.dispatch(batch));
    await onSaveWait((w) => (this.waiting = w));
    await onDbReachability((r) => {
      const wasDown = !this.reachable;
      this.reachable = r.reachable;
      this.error = r.error;
      // Back from an outage: whatever is on screen may be stale.
      if (wasDown && this.reachable) this.dispatch({ changes: [], overflow: true });
    });
    try {
      this.reachable = await api.databaseReachable();
    } catch {
      // An older backend or no database: assume reachable until told otherwise.
    }
  }

  dispatch(batch: ChangeBatch): void {
    for (const s of this.subscribers) {
      if (touches(batch, s.entities, s.ids?.())) s.refresh();
    }
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }
}

export const live = new Live();

/**
 * In a component: reload with `refresh` while mounted whenever a change
 * touches `entities` (optionally only the records `ids` returns).
 */
export function refreshOn(entities: readonly Entity[], refresh: () => void, ids?: () => ReadonlySet<string>): void {
  onMount(() => live.subscribe({ entities, refresh, ids }));
}

/**
 * Like {@link refreshOn}, but a change that arrives while `busy()` (a card
 * is being dragged) is held: the returned function, called when the drag
 * ends, applies it then.
 */
export function refreshUnlessBusy(entities: readonly Entity[], refresh: () => void, busy: () => boolean): () => void {
  let held = false;
  refreshOn(entities, () => {
    if (busy()) held = true;
    else refresh();
  });
  return () => {
    if (!held) return;
    held = false;
    refresh();
  };
}

/**
 * What the status bar says while a save waits: for whom, when colleagues'
 * saves are ahead of it in the queue; otherwise that the file is in use
 * (a save outside the queue, or the turn just coming).
 */
export function waitMessage(w: Waiting): { key: MessageKey; params?: Params } {
  return w.ahead > 0 ? { key: 'status.savingBehind', params: { count: w.ahead } } : { key: 'status.savingBusy' };
}
