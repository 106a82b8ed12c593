import { toErrorPayload } from './errors';
import type { ErrorPayload } from './generated/ErrorPayload';

/**
 * One backend call a control starts (Save, Delete, Add): stops double
 * submission while it runs and keeps its error for the control to show.
 * Unlike StatusAction it applies nothing itself; `done` receives the result.
 */
export class Action {
  busy = $state(false);
  error = $state<ErrorPayload | null>(null);

  /** Resolves true when `call` succeeded and `done` ran; false when busy or failed. */
  async run<T>(call: () => Promise<T>, done?: (result: T) => void): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      const result = await call();
      done?.(result);
      return true;
    } catch (reason) {
      this.error = toErrorPayload(reason);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /** Shows a problem found before calling the backend, as if it had answered so. */
  fail(error: ErrorPayload): void {
    this.error = error;
  }

  clear(): void {
    this.error = null;
  }
}
