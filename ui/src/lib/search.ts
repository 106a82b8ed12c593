import { formatDate } from './format';
import type { Language } from './generated/Language';
import type { SearchGroup } from './generated/SearchGroup';
import type { SearchHit } from './generated/SearchHit';
import type { SearchKind } from './generated/SearchKind';
import { translate } from './i18n/translate';

// The search dialog's pure logic, tested without a window.

/** A date a hit shows: the text, and the machine-readable value for <time>. */
export type HitDate = { text: string; datetime: string | null };

/**
 * The dates that place a hit in time: when a timeline entry happened, when a
 * deal was last changed and is expected to close, a customer's last contact.
 * Short, with the year when it is not this one. `timeZone` and `now` are for
 * tests (the user's own zone and the present otherwise).
 */
export function hitDates(kind: SearchKind, hit: SearchHit, lang: Language, timeZone?: string, now?: Date): HitDate[] {
  const date = (value: string) => formatDate(value, lang, 'short', timeZone, now);
  switch (kind) {
    case 'activities':
      return hit.occurred_at ? [{ text: date(hit.occurred_at), datetime: hit.occurred_at }] : [];
    case 'deals': {
      const out: HitDate[] = [];
      if (hit.updated_at) out.push({ text: translate(lang, 'search.updated', { date: date(hit.updated_at) }), datetime: hit.updated_at });
      if (hit.expected_close) {
        out.push({ text: translate(lang, 'search.expectedClose', { date: date(hit.expected_close) }), datetime: hit.expected_close });
      }
      return out;
    }
    case 'companies':
      return [
        hit.last_contact_at
          ? { text: translate(lang, 'search.lastContact', { date: date(hit.last_contact_at) }), datetime: hit.last_contact_at }
          : { text: translate(lang, 'search.noContact'), datetime: null },
      ];
    case 'contacts':
      return [];
  }
}

/**
 * A group with the next page appended. A hit already shown is not repeated
 * (a colleague's edit between two pages can move a record past the cursor).
 */
export function withPage(group: SearchGroup, page: SearchGroup): SearchGroup {
  const shown = new Set(group.hits.map((h) => h.id));
  return { hits: [...group.hits, ...page.hits.filter((h) => !shown.has(h.id))], next: page.next };
}
