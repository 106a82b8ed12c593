import { describe, expect, it } from 'vitest';
import { moved, newStep, placeholderNames, unknownInSteps, unknownPlaceholders } from './sequences';

describe('sequence templates', () => {
  it('knows each placeholder by its Japanese and its English name', () => {
    expect(unknownPlaceholders('{{会社名}} {{ contact }} {{署名}} {{signature}}')).toEqual([]);
    expect(placeholderNames('ja')).toContain('ご担当者名');
    expect(placeholderNames('en')).toContain('last_meeting_minutes');
  });

  it('names the unknown ones once, in order, as the engine refuses them', () => {
    expect(unknownPlaceholders('{{ご担当者}} 様 {{x}} {{ご担当者}} {会社名}')).toEqual(['ご担当者', 'x']);
    expect(
      unknownInSteps([
        { kind: 'mail', subject: '{{件名}}', body: '{{会社名}}', automatic: true },
        { kind: 'wait', days: 2 },
        { kind: 'call', note: '{{x}}' },
      ]),
    ).toEqual(['件名', 'x']);
  });

  it('adds and moves steps', () => {
    expect(newStep('wait')).toEqual({ kind: 'wait', days: 2 });
    expect(newStep('mail')).toMatchObject({ kind: 'mail', automatic: true });
    expect(moved(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
  });
});
