import { app } from './app.svelte';
import { toErrorPayload } from './errors';
import type { AppStatus } from './generated/AppStatus';
import type { ErrorPayload } from './generated/ErrorPayload';

/**
 * One settings-changing action in progress (a button, a checkbox): stops
 * double submission, applies the AppStatus it returns and keeps the error
 * next to the control that caused it.
 */
export class StatusAction {
  busy = $state(false);
  error = $state<ErrorPayload | null>(null);

  /** Resolves true when a new status was applied (false: cancelled or failed). */
  async run(action: () => Promise<AppStatus | null>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      const status = await action();
      if (status) app.apply(status);
      return status !== null;
    } catch (reason) {
      this.error = toErrorPayload(reason);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
