import type { Language } from './generated/Language';
import type { Step } from './generated/Step';

// The sequence editor's pure parts: the placeholders a template may use
// (the engine's sequences/template.rs is the authority and refuses unknown
// ones on save; this list lets the editor say so while typing), new steps
// and moving them.

/** [Japanese name, English name]: either may be written in a template. */
export const PLACEHOLDERS: readonly (readonly [string, string])[] = [
  ['会社名', 'company'],
  ['ご担当者名', 'contact'],
  ['前回商談日', 'last_meeting_date'],
  ['前回議事録', 'last_meeting_minutes'],
  ['担当者名', 'rep'],
  ['署名', 'signature'],
];

/** The placeholder names offered in a sequence of `lang`. */
export function placeholderNames(lang: Language): string[] {
  return PLACEHOLDERS.map(([ja, en]) => (lang === 'ja' ? ja : en));
}

/** The `{{…}}` names in `text` that are no placeholder, once each, in order. */
export function unknownPlaceholders(text: string): string[] {
  const known = new Set(PLACEHOLDERS.flat());
  const out: string[] = [];
  for (const m of text.matchAll(/\{\{([^}]*)\}\}/g)) {
    const name = (m[1] ?? '').trim();
    if (!known.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

/** Every unknown placeholder of a sequence's steps. */
export function unknownInSteps(steps: readonly Step[]): string[] {
  const out: string[] = [];
  for (const s of steps) {
    const texts = s.kind === 'mail' ? [s.subject, s.body] : s.kind === 'call' ? [s.note] : [];
    for (const text of texts) for (const name of unknownPlaceholders(text)) if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function newStep(kind: Step['kind']): Step {
  switch (kind) {
    case 'mail':
      return { kind: 'mail', subject: '', body: '', automatic: true };
    case 'call':
      return { kind: 'call', note: '' };
    case 'wait':
      return { kind: 'wait', days: 2 };
  }
}

/** The steps with the one at `index` moved by `by` (−1 up, +1 down); unchanged at an end. */
export function moved<T>(items: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  const out = [...items];
  if (to < 0 || to >= out.length) return out;
  const [item] = out.splice(index, 1);
  if (item !== undefined) out.splice(to, 0, item);
  return out;
}
