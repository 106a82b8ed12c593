import { toErrorPayload } from './errors';
import type { ErrorPayload } from './generated/ErrorPayload';

/**
 * Data a view fetches from the backend. Only the newest request may write its
 * result, so a slow answer to an old search or pipeline cannot overwrite a
 * newer one.
 */
export class Loader<T> {
  // Raw: the lists are replaced whole, never mutated, so deep proxies would be waste.
  data = $state.raw<T | null>(null);
  error = $state<ErrorPayload | null>(null);
  loading = $state(false);
  private seq = 0;

  constructor(private readonly fetcher: () => Promise<T>) {}

  async load(): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    try {
      const data = await this.fetcher();
      if (seq !== this.seq) return;
      this.data = data;
      this.error = null;
    } catch (reason) {
      if (seq !== this.seq) return;
      this.error = toErrorPayload(reason);
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }
}
