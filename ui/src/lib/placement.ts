/** Where a popup (a menu, a calendar) opens next to what opened it. */

type Rect = { top: number; bottom: number; left: number; right: number };
type Size = { width: number; height: number };

const GAP = 4;
const MARGIN = 8;

/**
 * The popup's top-left corner, in window coordinates (it is `position:
 * fixed`, so no scrolling container can clip it). Below the anchor when it
 * fits, else above when that fits, else wherever it shows the most; lined
 * up with the anchor's right edge (`end`, menus under a button) or left
 * edge (`start`, a calendar under a field); always inside the window.
 */
export function placeMenu(anchor: Rect, size: Size, viewport: Size, align: 'start' | 'end' = 'end'): { top: number; left: number } {
  const below = anchor.bottom + GAP;
  const above = anchor.top - GAP - size.height;
  let top: number;
  if (below + size.height <= viewport.height - MARGIN) top = below;
  else if (above >= MARGIN) top = above;
  else top = viewport.height - MARGIN - size.height;
  top = Math.max(MARGIN, top);
  const wanted = align === 'end' ? anchor.right - size.width : anchor.left;
  const left = Math.max(MARGIN, Math.min(wanted, viewport.width - MARGIN - size.width));
  return { top, left };
}

/** Whether the anchor is still (partly) in the window, e.g. after a scroll. */
export function inView(anchor: Rect, viewport: Size): boolean {
  return anchor.bottom > 0 && anchor.top < viewport.height && anchor.right > 0 && anchor.left < viewport.width;
}
