/** Short notices after an action ("re-approach planned", "a colleague changed this deal"). */
export type ToastKind = 'info' | 'success' | 'error';

/** A button in the notice, e.g. "Undo" after a delete. */
export type ToastAction = { label: string; testid: string; run: () => void };

export type Toast = { id: number; kind: ToastKind; text: string; key?: string; action?: ToastAction };

/** More than this many at once would cover the window; the oldest go first. */
export const MAX_TOASTS = 4;

/**
 * The stack after adding `toast`: a notice with the same `key` is replaced
 * (a repeated failure updates one notice instead of piling up), and past
 * {@link MAX_TOASTS} the oldest leave — successes and infos before errors,
 * since an error is news the user must not miss.
 */
export function stacked(items: readonly Toast[], toast: Toast): Toast[] {
  const next = [...items.filter((t) => toast.key === undefined || t.key !== toast.key), toast];
  while (next.length > MAX_TOASTS) {
    const calm = next.findIndex((t) => t.kind !== 'error');
    next.splice(calm >= 0 && calm < next.length - 1 ? calm : 0, 1);
  }
  return next;
}

class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  show(text: string, kind: ToastKind = 'info', ms = 6000, key?: string, action?: ToastAction): void {
    const id = this.next++;
    this.items = stacked(this.items, { id, kind, text, key, action });
    // Errors stay until dismissed: the user must not miss that a move was undone.
    if (kind !== 'error') setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
