import { describe, expect, it } from 'vitest';
import { lostFacts } from './lost';

describe('a loss read from its stage change', () => {
  it('gives the reason, the competitor, the detail and the re-approach date', () => {
    const body = JSON.stringify({
      from: '見積',
      to: '失注',
      lost_reason: '価格',
      lost_detail: '先方の予算が半分に削られた',
      lost_to: 'ライバルソフト株式会社',
      competitor_contract_end: null,
      reapproach_on: '2027-05-25',
    });
    expect(lostFacts(body)).toEqual({
      reason: '価格',
      lostTo: 'ライバルソフト株式会社',
      detail: '先方の予算が半分に削られた',
      reapproachOn: '2027-05-25',
    });
  });

  it('is nothing for another move or a body that is not the engine’s', () => {
    expect(lostFacts(JSON.stringify({ from: '提案', to: '見積' }))).toBeNull();
    expect(lostFacts('')).toBeNull();
    expect(lostFacts('null')).toBeNull();
    expect(lostFacts('ふつうの本文')).toBeNull();
    expect(lostFacts(JSON.stringify({ lost_reason: '価格', lost_to: '', lost_detail: null }))).toEqual({
      reason: '価格',
      lostTo: null,
      detail: null,
      reapproachOn: null,
    });
  });
});
