/**
 * The contacts ticked for a touch, in the order they were ticked: the
 * thank-you mail greets them in that order (the senior person first, as
 * the user chooses), which a checkbox group in list order would lose.
 */
export function toggled(picked: readonly string[], id: string, on: boolean): string[] {
  const rest = picked.filter((p) => p !== id);
  return on ? [...rest, id] : rest;
}
