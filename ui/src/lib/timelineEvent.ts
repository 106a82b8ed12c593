import type { Language } from './generated/Language';
import { translate } from './i18n/translate';

const EVENTS = [
  'deal_deleted',
  'deal_restored',
  'company_deleted',
  'company_restored',
  'contact_deleted',
  'contact_restored',
  'contract_deleted',
  'contract_restored',
  'company_archived',
  'company_unarchived',
] as const;
type SystemEvent = (typeof EVENTS)[number];

/**
 * A system entry the engine wrote (a deal, customer, contact or contract
 * deleted or put back; a customer archived or unarchived) in the reader's language; null for any other entry, which shows
 * its summary as stored. The body is the engine's JSON, never HTML.
 */
export function systemEventText(body: string, lang: Language): string | null {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const d = data as Record<string, unknown>;
  const event = d['event'];
  if (typeof event !== 'string' || !(EVENTS as readonly string[]).includes(event)) return null;
  const text = (k: string): string => (typeof d[k] === 'string' ? (d[k] as string) : '');
  return translate(lang, `timeline.event.${event as SystemEvent}`, { title: text('title'), name: text('name') });
}
