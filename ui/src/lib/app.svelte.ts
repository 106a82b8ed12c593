import { onPresence } from './generated/events';
import { api } from './api';
import { toErrorPayload } from './errors';
import type { AppStatus } from './generated/AppStatus';
import type { ErrorPayload } from './generated/ErrorPayload';
import type { Presence } from './generated/Presence';
import { setLanguage } from './i18n/i18n.svelte';
import { live } from './live.svelte';

/** The backend's AppStatus, shared by the shell, the dialogs and Settings. */
class AppState {
  status = $state<AppStatus | null>(null);
  /** Set when even `app_status` failed, e.g. outside the Tauri webview. */
  loadError = $state<ErrorPayload | null>(null);
  /** "Who are you?" asked again at the user's request (Settings, the status bar). */
  changingIdentity = $state(false);
  /** The file (read-only: nothing is written as anyone anyway) for which the question was put off. */
  identityDeferredFor = $state<string | null>(null);
  /** Other computers active as this member right now. */
  presence = $state<Presence>({ elsewhere: [] });
  private started = false;

  /** Every command that changes settings returns the new status; apply it here. */
  apply(status: AppStatus): void {
    this.status = status;
    this.loadError = null;
    setLanguage(status.language);
  }

  async load(): Promise<void> {
    try {
      this.apply(await api.appStatus());
    } catch (reason) {
      this.loadError = toErrorPayload(reason);
    }
  }

  async refreshPresence(): Promise<void> {
    try {
      this.presence = await api.presence();
    } catch {
      // No database, or the share is away: the last answer stands.
    }
  }

  /**
   * Keeps the status and the presence warning current: a colleague may
   * rename or merge this member, and another computer may start acting as
   * it; the backend's heartbeat sends `presence` every minute.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    live.subscribe({ entities: ['user'], refresh: () => void this.load() });
    live.subscribe({ entities: ['user', 'member_session'], refresh: () => void this.refreshPresence() });
    await onPresence((p) => (this.presence = p));
    await this.refreshPresence();
  }
}

export const app = new AppState();
