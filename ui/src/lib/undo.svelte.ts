import { api } from './api';
import { errorText, toErrorPayload } from './errors';
import type { Deletion } from './generated/Deletion';
import type { Restored } from './generated/Restored';
import { currentLanguage, t } from './i18n/i18n.svelte';
import { live } from './live.svelte';
import { toasts } from './toast.svelte';

/** How long the notice after a delete offers "Undo" (the engine itself keeps no limit). */
export const UNDO_MS = 12_000;

/**
 * Every open view reloads what it shows: a delete or an undo touches
 * several kinds of record at once (a customer takes its deals, contracts
 * and follow-ups along), and this window's own writes do not come back
 * through the change feed.
 */
export function refreshEverything(): void {
  live.dispatch({ changes: [], overflow: true });
}

/** The notice after a delete, with "Undo" that puts back everything it took. */
export function offerUndo(text: string, deletion: Deletion, restoredText: string, afterUndo?: (r: Restored) => void): void {
  refreshEverything();
  toasts.show(text, 'success', UNDO_MS, `undo-${deletion.deletion_id}`, {
    label: t('undo.button'),
    testid: 'toast-undo',
    run: () => {
      api.undoDeletion(deletion.deletion_id).then(
        (restored) => {
          toasts.show(restoredText, 'success');
          refreshEverything();
          afterUndo?.(restored);
        },
        (reason) => toasts.show(errorText(toErrorPayload(reason), currentLanguage()), 'error'),
      );
    },
  });
}
