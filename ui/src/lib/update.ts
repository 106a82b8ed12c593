import type { ReadOnlyReason } from './generated/ReadOnlyReason';
import type { UpdateCheck } from './generated/UpdateCheck';
import type { UpdateOffer } from './generated/UpdateOffer';
import type { UpdateProblem } from './generated/UpdateProblem';

/**
 * What the update banner says, from the team folder's offer and whether the
 * team file is too new for this Kizuna:
 * - `needed`: the file is too new and the folder has the Kizuna that reads it;
 * - `needed_no_installer`: too new, and nothing (usable) to install: ask the admin;
 * - `available`: a newer Kizuna is there, though this one still works;
 * - `null`: nothing to say.
 */
export type UpdateNotice =
  | { kind: 'needed' | 'available'; offer: UpdateOffer; running: string }
  | { kind: 'needed_no_installer'; folder: string; running: string; problem: UpdateProblem | null }
  | null;

export function updateNotice(check: UpdateCheck | null, readOnly: ReadOnlyReason | null): UpdateNotice {
  const tooNew = readOnly === 'schema_too_new';
  if (!check) return null;
  if (check.offer) {
    return { kind: tooNew ? 'needed' : 'available', offer: check.offer, running: check.running };
  }
  if (tooNew) {
    return { kind: 'needed_no_installer', folder: check.folder, running: check.running, problem: check.problem };
  }
  return null;
}
