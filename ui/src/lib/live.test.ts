import { describe, expect, it } from 'vitest';
import { waitMessage } from './live.svelte';
import { queuedMessage } from './outbox.svelte';
import { setLanguage, t } from './i18n/i18n.svelte';

describe('waitMessage', () => {
  const said = (ahead: number) => {
    const m = waitMessage({ ahead, waited_ms: 1200 });
    return t(m.key, m.params);
  };

  it('says how many colleagues’ saves are ahead, in the user’s language', () => {
    setLanguage('ja');
    expect(said(2)).toBe('保存中… 同僚の保存を待っています（あと 2 件）');
    setLanguage('en');
    expect(said(2)).toBe("Saving… waiting for colleagues' saves (2 ahead)");
  });

  it('says the file is in use when no queued save is ahead', () => {
    setLanguage('en');
    expect(said(0)).toBe('Saving… the team file is in use');
    setLanguage('ja');
    expect(said(0)).toBe('保存中… チームのファイルが使用中です');
  });
});

describe('queuedMessage', () => {
  it('tells a save kept because colleagues held the file from one kept during an outage', () => {
    setLanguage('en');
    expect(t(queuedMessage('busy'))).toMatch(/kept the team file busy.*as soon as the file is free/);
    expect(t(queuedMessage(null))).toMatch(/cannot be reached/);
  });
});
