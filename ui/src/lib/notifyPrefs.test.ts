import { describe, expect, it } from 'vitest';
import { errorText } from './errors';
import type { NotifyPrefs } from './generated/NotifyPrefs';
import {
  DEFAULT_QUIET,
  WEEKDAYS,
  checkDraft,
  checkPrefs,
  draftPrefs,
  isPrefsDirty,
  normalizeTime,
  prefsDraft,
  toggleDay,
  withQuiet,
} from './notifyPrefs';
import { problemPayload } from './pipelineEdit';

function prefs(extra: Partial<NotifyPrefs> = {}): NotifyPrefs {
  return { enabled: true, quiet_start: '20:00', quiet_end: '08:00', working_days: [1, 2, 3, 4, 5], ...extra };
}

describe('WEEKDAYS', () => {
  it('numbers Monday 1 to Sunday 7', () => {
    expect(WEEKDAYS.map((d) => d.iso)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(WEEKDAYS[0].name).toBe('mon');
    expect(WEEKDAYS[6].name).toBe('sun');
  });
});

describe('prefsDraft and draftPrefs', () => {
  it('round-trip the saved preferences', () => {
    expect(draftPrefs(prefsDraft(prefs()))).toEqual(prefs());
    expect(draftPrefs(prefsDraft(prefs({ enabled: false, quiet_start: null, quiet_end: null })))).toEqual(
      prefs({ enabled: false, quiet_start: null, quiet_end: null }),
    );
  });

  it('offers the default quiet hours when there are none', () => {
    const d = prefsDraft(prefs({ quiet_start: null, quiet_end: null }));
    expect(d.quiet).toBe(false);
    expect([d.quietStart, d.quietEnd]).toEqual([DEFAULT_QUIET.start, DEFAULT_QUIET.end]);
  });

  it('sends no quiet hours while the box is unticked, whatever the fields hold', () => {
    const d = { ...prefsDraft(prefs()), quiet: false };
    expect(draftPrefs(d)).toMatchObject({ quiet_start: null, quiet_end: null });
    // and ticking it again gives the times back
    expect(draftPrefs({ ...d, quiet: true })).toMatchObject({ quiet_start: '20:00', quiet_end: '08:00' });
  });

  it('sorts the working days', () => {
    expect(draftPrefs({ ...prefsDraft(prefs()), workingDays: [5, 1, 3] }).working_days).toEqual([1, 3, 5]);
    expect(prefsDraft(prefs({ working_days: [7, 6] })).workingDays).toEqual([6, 7]);
  });
});

describe('withQuiet', () => {
  it('keeps the typed times across unticking and ticking', () => {
    const d = { ...prefsDraft(prefs()), quietStart: '22:00' };
    const off = withQuiet(d, false);
    expect(off).toMatchObject({ quiet: false, quietStart: '22:00', quietEnd: '08:00' });
    expect(withQuiet(off, true)).toMatchObject({ quiet: true, quietStart: '22:00', quietEnd: '08:00' });
  });

  it('offers the default again when both fields were emptied', () => {
    const d = { ...prefsDraft(prefs()), quiet: false, quietStart: '', quietEnd: ' ' };
    expect(withQuiet(d, true)).toMatchObject({ quiet: true, quietStart: '20:00', quietEnd: '08:00' });
  });

  it('leaves one emptied field for the check to name', () => {
    const d = { ...prefsDraft(prefs()), quiet: false, quietStart: '' };
    expect(withQuiet(d, true)).toMatchObject({ quietStart: '', quietEnd: '08:00' });
  });
});

describe('normalizeTime', () => {
  it('gives HH:MM, or null for an empty field', () => {
    expect(normalizeTime('08:00')).toBe('08:00');
    expect(normalizeTime('8:05')).toBe('08:05');
    expect(normalizeTime('08:00:00')).toBe('08:00');
    expect(normalizeTime('23:59:30.5')).toBe('23:59');
    expect(normalizeTime('')).toBeNull();
    expect(normalizeTime('  ')).toBeNull();
  });

  it('passes anything unreadable on as typed', () => {
    expect(normalizeTime('24:00')).toBe('24:00');
    expect(normalizeTime('8 pm')).toBe('8 pm');
  });
});

describe('toggleDay', () => {
  it('switches a day on or off and keeps weekday order', () => {
    expect(toggleDay([1, 2, 3], 2)).toEqual([1, 3]);
    expect(toggleDay([1, 5], 3)).toEqual([1, 3, 5]);
    expect(toggleDay([], 7)).toEqual([7]);
    expect(toggleDay([7], 7)).toEqual([]);
  });

  it('never repeats a day', () => {
    expect(toggleDay([1, 1, 2], 3)).toEqual([1, 2, 3]);
  });
});

describe('checkPrefs', () => {
  it('accepts the defaults, no quiet hours and quiet hours within one day', () => {
    expect(checkPrefs(prefs())).toBeNull();
    expect(checkPrefs(prefs({ quiet_start: null, quiet_end: null }))).toBeNull();
    expect(checkPrefs(prefs({ quiet_start: '12:00', quiet_end: '13:00', working_days: [6] }))).toBeNull();
  });

  it('names the engine problems in its order', () => {
    expect(checkPrefs(prefs({ quiet_start: '8pm' }))).toEqual({ field: 'quiet_start', reason: 'format' });
    expect(checkPrefs(prefs({ quiet_end: '24:00' }))).toEqual({ field: 'quiet_end', reason: 'format' });
    expect(checkPrefs(prefs({ quiet_end: '20:00' }))).toEqual({ field: 'quiet_end', reason: 'same_as_start' });
    expect(checkPrefs(prefs({ quiet_end: null }))).toEqual({ field: 'quiet_end', reason: 'required' });
    expect(checkPrefs(prefs({ quiet_start: null }))).toEqual({ field: 'quiet_start', reason: 'required' });
    expect(checkPrefs(prefs({ working_days: [0, 1] }))).toEqual({ field: 'working_days', reason: 'format' });
    expect(checkPrefs(prefs({ working_days: [] }))).toEqual({ field: 'working_days', reason: 'required' });
  });
});

describe('checkDraft', () => {
  it('wants both times while quiet hours are ticked', () => {
    const d = prefsDraft(prefs());
    expect(checkDraft({ ...d, quietStart: '' })).toEqual({ field: 'quiet_start', reason: 'required' });
    expect(checkDraft({ ...d, quietEnd: '' })).toEqual({ field: 'quiet_end', reason: 'required' });
    expect(checkDraft({ ...d, quietStart: '', quietEnd: '', quiet: false })).toBeNull();
  });

  it('checks the rest as the engine would', () => {
    const d = prefsDraft(prefs());
    expect(checkDraft(d)).toBeNull();
    expect(checkDraft({ ...d, quietEnd: '20:00:00' })).toEqual({ field: 'quiet_end', reason: 'same_as_start' });
    expect(checkDraft({ ...d, workingDays: [] })).toEqual({ field: 'working_days', reason: 'required' });
  });
});

describe('isPrefsDirty', () => {
  it('sees a change that would be saved, not one of spelling or order', () => {
    const loaded = prefs();
    const d = prefsDraft(loaded);
    expect(isPrefsDirty(loaded, d)).toBe(false);
    expect(isPrefsDirty(loaded, { ...d, quietEnd: '08:00:00', workingDays: [5, 4, 3, 2, 1] })).toBe(false);
    expect(isPrefsDirty(loaded, { ...d, enabled: false })).toBe(true);
    expect(isPrefsDirty(loaded, { ...d, quiet: false })).toBe(true);
    expect(isPrefsDirty(loaded, { ...d, workingDays: [1, 2, 3, 4, 5, 6] })).toBe(true);
  });

  it('does not count the remembered times while quiet hours are off', () => {
    const loaded = prefs({ quiet_start: null, quiet_end: null });
    expect(isPrefsDirty(loaded, { ...prefsDraft(loaded), quietStart: '21:00' })).toBe(false);
  });
});

describe('the engine reasons', () => {
  const generic = (reason: string) => problemPayload({ field: 'x', reason });

  it('each have their own sentence in both languages', () => {
    const pairs: [string, string][] = [
      ['quiet_start', 'format'],
      ['quiet_start', 'required'],
      ['quiet_end', 'format'],
      ['quiet_end', 'required'],
      ['quiet_end', 'same_as_start'],
      ['working_days', 'format'],
      ['working_days', 'required'],
    ];
    for (const [field, reason] of pairs) {
      for (const lang of ['ja', 'en'] as const) {
        const text = errorText(problemPayload({ field, reason }), lang);
        // Neither the generic "invalid input" nor the reason's generic wording.
        expect(text, `${lang}: ${field}.${reason}`).not.toBe(errorText(generic('x'), lang));
        expect(text, `${lang}: ${field}.${reason}`).not.toBe(errorText(generic(reason), lang));
      }
    }
  });
});
