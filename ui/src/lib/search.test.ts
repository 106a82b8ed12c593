import { describe, expect, it } from 'vitest';
import type { SearchHit } from './generated/SearchHit';
import { hitDates, withPage } from './search';

// Mid-2026: dates of 2026 show no year, others do.
const NOW = new Date('2026-06-01T00:00:00Z');

const hit = (over: Partial<SearchHit> = {}): SearchHit => ({
  id: 'h1',
  title: 'T',
  engine_text: null,
  detail: '',
  snippet: [],
  company_id: 'c',
  deal_id: null,
  occurred_at: null,
  updated_at: null,
  expected_close: null,
  last_contact_at: null,
  ...over,
});

describe('hitDates', () => {
  it('dates a timeline entry by when it happened, in the user’s zone, with the year when not this one', () => {
    // 23:30 UTC on the 24th is the 25th in Tokyo.
    const h = hit({ occurred_at: '2026-11-24T23:30:00Z' });
    expect(hitDates('activities', h, 'ja', 'Asia/Tokyo', NOW)).toEqual([{ text: '11月25日(水)', datetime: '2026-11-24T23:30:00Z' }]);
    expect(hitDates('activities', h, 'en', 'Asia/Tokyo', NOW)[0]?.text).toBe('Wed, Nov 25');
    const old = hit({ occurred_at: '2024-04-10T01:00:00Z' });
    expect(hitDates('activities', old, 'ja', 'Asia/Tokyo', NOW)[0]?.text).toBe('2024年4月10日(水)');
  });

  it('dates a deal by its last change and its expected close (a calendar day, never shifted)', () => {
    const h = hit({ updated_at: '2026-11-20T01:00:00Z', expected_close: '2027-03-31' });
    expect(hitDates('deals', h, 'ja', 'America/Los_Angeles', NOW).map((d) => d.text)).toEqual([
      '更新 11月19日(木)',
      '受注予定 2027年3月31日(水)',
    ]);
    expect(hitDates('deals', hit({ updated_at: '2026-11-20T01:00:00Z' }), 'en', 'UTC', NOW).map((d) => d.text)).toEqual([
      'Updated Fri, Nov 20',
    ]);
  });

  it('dates a customer by the last contact, or says there was none', () => {
    expect(hitDates('companies', hit({ last_contact_at: '2025-11-20T01:00:00Z' }), 'en', 'UTC', NOW)[0]?.text).toBe(
      'Last contact Thu, Nov 20, 2025',
    );
    expect(hitDates('companies', hit(), 'ja')).toEqual([{ text: '接触記録なし', datetime: null }]);
    expect(hitDates('contacts', hit({ occurred_at: '2026-11-20T01:00:00Z' }), 'ja')).toEqual([]);
  });
});

describe('withPage', () => {
  it('appends the next page, takes its cursor, and never repeats a hit', () => {
    const group = { hits: [hit({ id: 'a' }), hit({ id: 'b' })], next: { row: 5, id: 'b', reading: null, name: null } };
    const page = { hits: [hit({ id: 'b' }), hit({ id: 'c' })], next: null };
    const merged = withPage(group, page);
    expect(merged.hits.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(merged.next).toBeNull();
  });
});
