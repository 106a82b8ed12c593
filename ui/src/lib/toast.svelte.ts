/** Short notices after an action ("re-approach planned", "a colleague changed this deal"). */
export type ToastKind = 'info' | 'success' | 'error';

class Toasts {
  items = $state<{ id: number; kind: ToastKind; text: string }[]>([]);
  private next = 1;

  show(text: string, kind: ToastKind = 'info', ms = 6000): void {
    const id = this.next++;
    this.items = [...this.items, { id, kind, text }];
    // Errors stay until dismissed: the user must not miss that a move was undone.
    if (kind !== 'error') setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
