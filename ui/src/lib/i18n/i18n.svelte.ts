import type { Language } from '../generated/Language';
import { translate } from './translate';
import type { MessageKey, Params } from './types';

export type { MessageKey, Params } from './types';

// Until the backend tells us the effective language, guess from the webview
// so the loading screen is not in the wrong language.
function guess(): Language {
  const nav = typeof navigator === 'undefined' ? '' : navigator.language;
  return nav.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

const state = $state<{ lang: Language }>({ lang: guess() });

export function currentLanguage(): Language {
  return state.lang;
}

export function setLanguage(lang: Language): void {
  state.lang = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

/** Reads the current language, so templates calling it re-render on a switch. */
export function t(key: MessageKey, params?: Params): string {
  return translate(state.lang, key, params);
}
