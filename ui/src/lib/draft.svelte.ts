/**
 * Whether a form differs from how it was filled, so a dialog can ask before
 * its input is thrown away (components/Modal.svelte `dirty`). Call `mark()`
 * once the form holds what it started from: on open, after loading the
 * record, after taking a colleague's version. `read` returns the fields.
 */
export class Draft {
  #base = $state<string | null>(null);
  readonly #read: () => unknown;

  constructor(read: () => unknown) {
    this.#read = read;
  }

  mark(): void {
    this.#base = JSON.stringify(this.#read());
  }

  get dirty(): boolean {
    return this.#base !== null && JSON.stringify(this.#read()) !== this.#base;
  }
}
