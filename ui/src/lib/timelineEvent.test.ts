import { describe, expect, it } from 'vitest';
import { systemEventText } from './timelineEvent';

describe('systemEventText', () => {
  it('words a delete and an undo in the reader’s language', () => {
    const body = JSON.stringify({ event: 'deal_deleted', title: '基幹システム刷新', deal_id: 'd', deletion_id: 'x' });
    expect(systemEventText(body, 'ja')).toBe('案件「基幹システム刷新」を削除しました');
    expect(systemEventText(body, 'en')).toBe('Deleted the deal “基幹システム刷新”');
    expect(systemEventText(JSON.stringify({ event: 'company_restored', name: '青葉商事' }), 'ja')).toBe('顧客「青葉商事」を元に戻しました');
  });

  it('words a removed contact and contract, and an archived customer', () => {
    expect(systemEventText(JSON.stringify({ event: 'contact_deleted', name: '山田 花子', contact_id: 'c' }), 'ja')).toBe('担当者「山田 花子」を削除しました');
    expect(systemEventText(JSON.stringify({ event: 'contract_restored', title: 'クラウド会計 年額' }), 'en')).toBe('Restored the contract “クラウド会計 年額”');
    expect(systemEventText(JSON.stringify({ event: 'company_archived', name: '青葉商事' }), 'en')).toBe('Archived the customer “青葉商事”');
  });

  it('leaves other entries to their summary', () => {
    expect(systemEventText('', 'ja')).toBeNull();
    expect(systemEventText('not json', 'ja')).toBeNull();
    expect(systemEventText(JSON.stringify({ event: 'something_else' }), 'en')).toBeNull();
    expect(systemEventText(JSON.stringify({ from: 'a', to: 'b' }), 'en')).toBeNull();
  });
});
