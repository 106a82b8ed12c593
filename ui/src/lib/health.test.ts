import { describe, expect, it } from 'vitest';
import type { Health } from './generated/Health';
import { en } from './i18n/en';
import { ja } from './i18n/ja';
import { levelKey, needsAttention, reasonKey } from './health';

const facts = { open_cases: 1, open_complaints: 1, complaints: 1, breaches: 0, satisfaction: null };
const atRisk: Health = { level: 'at_risk', reasons: [{ kind: 'open_complaint', count: 1, at_risk: true }], facts };

describe('health', () => {
  it('names the level and every reason code in both languages', () => {
    expect(levelKey(atRisk)).toBe('health.at_risk');
    expect(reasonKey(atRisk.reasons[0]!)).toBe('health.reason.open_complaint');
    for (const kind of ['open_complaint', 'complaints', 'breaches', 'open_cases', 'low_satisfaction'] as const) {
      expect(ja.health.reason[kind]).toContain('{count}');
      expect(en.health.reason[kind]).toContain('{count}');
    }
    for (const level of ['good', 'watch', 'at_risk'] as const) {
      expect(ja.health[level]).not.toBe('');
      expect(en.health[level]).not.toBe('');
    }
  });

  it('asks for attention for anything but good', () => {
    expect(needsAttention(atRisk)).toBe(true);
    expect(needsAttention({ level: 'good', reasons: [], facts })).toBe(false);
  });
});
