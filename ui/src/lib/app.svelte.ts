import { api } from './api';
import { toErrorPayload } from './errors';
import type { AppStatus } from './generated/AppStatus';
import type { ErrorPayload } from './generated/ErrorPayload';
import { setLanguage } from './i18n/i18n.svelte';

/** The backend's AppStatus, shared by the shell, the dialogs and Settings. */
class AppState {
  status = $state<AppStatus | null>(null);
  /** Set when even `app_status` failed, e.g. outside the Tauri webview. */
  loadError = $state<ErrorPayload | null>(null);

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
}

export const app = new AppState();
