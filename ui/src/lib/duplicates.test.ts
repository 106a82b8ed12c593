import { describe, expect, it } from 'vitest';
import { fieldRows, initialTake, takeList, type Preview } from './duplicates';
import type { Company } from './generated/Company';
import type { Contact } from './generated/Contact';
import { translate } from './i18n/translate';
import type { MessageKey } from './i18n/i18n.svelte';

const company = (over: Partial<Company>): Company => ({
  id: 'a',
  version: 1,
  name: '株式会社 山田商事',
  name_kana: '',
  industry: '',
  segment: 'normal',
  owner_id: null,
  owner_name: null,
  address: '',
  phone: '03-1234-5678',
  website: '',
  tags: [],
  last_contact_at: null,
  retention_days: null,
  archived_at: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...over,
});

const contact = (over: Partial<Contact>): Contact => ({
  id: 'x',
  version: 1,
  company_id: 'a',
  name: '山田 太郎',
  name_kana: '',
  title: '',
  email: '',
  mailto: null,
  phone: '',
  updated_at: '2026-01-01T00:00:00Z',
  mail_opt_out_at: null,
  ...over,
});

const ja = (key: MessageKey) => translate('ja', key);
const en = (key: MessageKey) => translate('en', key);

describe('the merge dialog', () => {
  const companies: Preview = {
    kind: 'companies',
    preview: {
      survivor: company({}),
      loser: company({ id: 'b', name: '山田商事（株）', name_kana: 'やまだしょうじ', segment: 'key', owner_name: '佐藤 健太' }),
      differing: ['name', 'name_kana', 'segment', 'owner'],
      suggested: ['name_kana', 'owner'],
      moving: 4,
    },
  };

  it('shows each differing field with both values, the segment in words', () => {
    const rows = fieldRows(companies, ja);
    expect(rows.map((r) => [r.field, r.survivor, r.loser])).toEqual([
      ['name', '株式会社 山田商事', '山田商事（株）'],
      ['name_kana', '', 'やまだしょうじ'],
      ['segment', '一般', '重要顧客'],
      ['owner', '', '佐藤 健太'],
    ]);
    expect(rows.map((r) => ja(r.label))).toEqual(['名前', '読み', '区分', '担当営業']);
    expect(rows.map((r) => en(r.label))).toEqual(['Name', 'Reading', 'Segment', 'Owner']);
  });

  it('starts with what the survivor lacks taken from the other, and sends the choice in field order', () => {
    const take = initialTake(companies);
    expect([...take].sort()).toEqual(['name_kana', 'owner']);
    take.add('name');
    expect(takeList(companies.preview, take)).toEqual(['name', 'name_kana', 'owner']);
  });

  it('compares contacts by their own fields', () => {
    const contacts: Preview = {
      kind: 'contacts',
      preview: {
        survivor: contact({}),
        loser: contact({ id: 'y', name: '山田太郎', email: 'taro@yamada.co.jp' }),
        survivor_company: '山田商事',
        loser_company: '山田商事',
        differing: ['name', 'email'],
        suggested: ['email'],
        moving: 2,
      },
    };
    expect(fieldRows(contacts, ja).map((r) => [r.field, r.survivor, r.loser, ja(r.label)])).toEqual([
      ['name', '山田 太郎', '山田太郎', '名前'],
      ['email', '', 'taro@yamada.co.jp', 'メール'],
    ]);
  });
});
