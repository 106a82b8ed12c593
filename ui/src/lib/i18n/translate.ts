import type { Language } from '../generated/Language';
import { en } from './en';
import { ja } from './ja';
import type { Catalog, MessageKey, Params, Plural } from './types';

export const catalogs: Readonly<Record<Language, Catalog>> = { ja, en };

/** The BCP 47 locale Intl formats with for each UI language. */
export function localeOf(lang: Language): string {
  return lang === 'ja' ? 'ja-JP' : 'en-US';
}

function isPlural(entry: unknown): entry is Plural {
  return typeof entry === 'object' && entry !== null && typeof (entry as Plural).other === 'string';
}

/** The raw entry under a dotted key, or undefined when the key is unknown. */
export function lookup(catalog: Catalog, key: string): string | Plural | undefined {
  let node: unknown = catalog;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === 'string' || isPlural(node)) return node;
  return undefined;
}

/** Replaces `{name}` with params.name; numbers get the language's digit grouping. */
export function interpolate(text: string, lang: Language, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? new Intl.NumberFormat(localeOf(lang)).format(value) : value;
  });
}

export function translate(lang: Language, key: MessageKey, params?: Params): string {
  const entry = lookup(catalogs[lang], key);
  // A missing key shows itself, so a gap is visible rather than blank.
  if (entry === undefined) return key;
  if (typeof entry === 'string') return interpolate(entry, lang, params);
  const count = Number(params?.['count'] ?? 0);
  const form = new Intl.PluralRules(localeOf(lang)).select(count);
  const text = form === 'one' && entry.one !== undefined ? entry.one : entry.other;
  return interpolate(text, lang, params);
}
