import { describe, expect, it } from 'vitest';
import { renderEngineText, shownText } from './engineText';
import type { EngineText } from './generated/EngineText';
import { catalogs, lookup } from './i18n/translate';

// One example of every kind. The mapped type makes a kind added in Rust (and
// regenerated) a type error here until it has an example; the test below
// also compares the list with the generated file, for a check at run time.
type Examples = { [K in EngineText['kind']]: Extract<EngineText, { kind: K }> };
const EXAMPLES: Examples = {
  next_appointment: { kind: 'next_appointment', params: { company: '株式会社テスト' } },
  decision_deadline: { kind: 'decision_deadline', params: { deal: '基幹システム刷新' } },
  reapproach: { kind: 'reapproach', params: { company: '株式会社テスト' } },
  churn_reapproach: { kind: 'churn_reapproach', params: { company: '株式会社テスト', plan: '年間保守' } },
  renewal_hearing_due: { kind: 'renewal_hearing_due', params: { company: '株式会社テスト', plan: '年間保守' } },
  renewal_proposal_due: { kind: 'renewal_proposal_due', params: { company: '株式会社テスト', plan: '年間保守' } },
  post_renewal_due: { kind: 'post_renewal_due', params: { company: '株式会社テスト', plan: '年間保守' } },
  stage_changed: { kind: 'stage_changed', params: { from: '提案', to: '見積' } },
  moved_to_closing: { kind: 'moved_to_closing', params: { from: '見積', to: 'クロージング', deadline: '2026-12-09' } },
  contract_started: { kind: 'contract_started', params: { plan: '年間保守', start: '2026-04-01', end: '2027-03-31' } },
  contract_changed: {
    kind: 'contract_changed',
    params: { plan: '年間保守', old_end: '2027-03-31', end: '2027-06-30', amount: 650_000, currency: 'JPY' },
  },
  renewal_hearing_held: { kind: 'renewal_hearing_held', params: { plan: '年間保守', satisfaction: 4 } },
  renewal_proposed: {
    kind: 'renewal_proposed',
    params: { plan: '年間保守', proposal: 'upsell', amount: 600_000, new_amount: 720_000, currency: 'JPY' },
  },
  renewal_procedure: { kind: 'renewal_procedure', params: { plan: '年間保守' } },
  contract_renewed: {
    kind: 'contract_renewed',
    params: { plan: '年間保守', amount: 600_000, new_amount: 720_000, currency: 'JPY', start: '2027-04-01', end: '2028-03-31' },
  },
  post_renewal_done: { kind: 'post_renewal_done', params: { plan: '年間保守' } },
  contract_churned: { kind: 'contract_churned', params: { plan: '年間保守', reason: '予算削減' } },
  thank_you_sent: { kind: 'thank_you_sent' },
  case_opened: {
    kind: 'case_opened',
    params: { case_id: 'c1', number: 12, subject: '請求書が届かない', category: 'complaint', channel: 'phone' },
  },
  case_replied: { kind: 'case_replied', params: { case_id: 'c1', number: 12, subject: '請求書が届かない' } },
  case_noted: { kind: 'case_noted', params: { case_id: 'c1', number: 12, subject: '請求書が届かない' } },
  case_status_changed: {
    kind: 'case_status_changed',
    params: { case_id: 'c1', number: 12, subject: '請求書が届かない', from: 'in_progress', to: 'resolved' },
  },
  case_assigned: { kind: 'case_assigned', params: { case_id: 'c1', number: 12, subject: '請求書が届かない', assignee: '佐藤 花子' } },
  case_priority_changed: {
    kind: 'case_priority_changed',
    params: { case_id: 'c1', number: 12, subject: '請求書が届かない', from: 'normal', to: 'urgent' },
  },
  handoff_promise: { kind: 'handoff_promise', params: { company: '株式会社テスト', promise: '初期設定の代行' } },
  case_to_sales_due: { kind: 'case_to_sales_due', params: { company: '株式会社テスト', kind: 'opportunity', case_number: 12 } },
  handoff_sent: { kind: 'handoff_sent', params: { handoff_id: 'h1', to: '鈴木 花子' } },
  handoff_question: { kind: 'handoff_question', params: { handoff_id: 'h1' } },
  handoff_answer: { kind: 'handoff_answer', params: { handoff_id: 'h1' } },
  handoff_acknowledged: { kind: 'handoff_acknowledged', params: { handoff_id: 'h1', by: '鈴木 花子' } },
  case_handed_to_sales: { kind: 'case_handed_to_sales', params: { kind: 'renewal_risk', case_number: 12, owner: '田中 太郎' } },
  lead_received: { kind: 'lead_received', params: { number: 3, source: 'web_form' } },
  lead_assigned: { kind: 'lead_assigned', params: { number: 3, owner: '佐藤 花子' } },
  lead_contacted: { kind: 'lead_contacted', params: { number: 3 } },
  lead_converted: { kind: 'lead_converted', params: { number: 3, company: '株式会社テスト', source: 'exhibition' } },
  lead_disqualified: { kind: 'lead_disqualified', params: { number: 3, reason: '重複' } },
  lead_nurtured: { kind: 'lead_nurtured', params: { number: 3, reason: '来期検討' } },
  deal_nurtured: { kind: 'deal_nurtured', params: { reason: '予算凍結' } },
  lead_resurfaced: { kind: 'lead_resurfaced', params: { number: 3, trigger: 'new_inquiry' } },
  mail_opt_out: { kind: 'mail_opt_out', params: { name: '山田 一郎' } },
  mail_opt_in: { kind: 'mail_opt_in', params: { name: '山田 一郎' } },
  nurture_check_in: { kind: 'nurture_check_in', params: { name: '株式会社テスト' } },
  sequence_step_due: { kind: 'sequence_step_due', params: { sequence: '資料請求後フォロー', company: '株式会社テスト', step: 2, call: true } },
  sequence_late_mail: { kind: 'sequence_late_mail', params: { sequence: '資料請求後フォロー', company: '株式会社テスト' } },
  sequence_enrolled: { kind: 'sequence_enrolled', params: { sequence: '資料請求後フォロー' } },
  sequence_stopped: { kind: 'sequence_stopped', params: { sequence: '資料請求後フォロー', reason: 'replied' } },
  sequence_waiting: { kind: 'sequence_waiting', params: { sequence: '資料請求後フォロー', reason: 'pushy', until: '2026-12-01 10:00' } },
  sequence_replied: { kind: 'sequence_replied', params: { sequence: '資料請求後フォロー' } },
  sequence_mail_sent: { kind: 'sequence_mail_sent', params: { sequence: '資料請求後フォロー', subject: '資料送付のご案内' } },
  company_merged: { kind: 'company_merged', params: { merged: '(株)山田商事' } },
  contact_merged: { kind: 'contact_merged', params: { merged: '山田 太郎', into: '山田太郎' } },
};
const examples: EngineText[] = Object.values(EXAMPLES);

/** The kinds of the union in ui/src/lib/generated/EngineText.ts, read as text. */
async function generatedKinds(): Promise<string[]> {
  // Through a variable so the UI's tsconfig (no Node types) need not know node:fs.
  const fsModule: string = 'node:fs';
  const fs = (await import(/* @vite-ignore */ fsModule)) as { readFileSync(path: URL, encoding: 'utf8'): string };
  const source = fs.readFileSync(new URL('./generated/EngineText.ts', import.meta.url), 'utf8');
  return [...source.matchAll(/"kind": "([a-z_]+)"/g)].map((m) => m[1] ?? '').sort();
}

describe('engine text', () => {
  it('has an example here for every kind the engine knows', async () => {
    const kinds = await generatedKinds();
    expect(kinds.length).toBeGreaterThan(15);
    expect(Object.keys(EXAMPLES).sort()).toEqual(kinds);
  });

  it('has words for every kind in both catalogues, and says it differently in each', () => {
    for (const text of examples) {
      for (const lang of ['ja', 'en'] as const) {
        const entry = lookup(catalogs[lang], `engineText.${text.kind}`);
        expect(entry, `${lang}: engineText.${text.kind}`).toEqual(expect.any(String));
        const shown = renderEngineText(text, lang);
        expect(shown, `${lang}: ${text.kind}`).not.toMatch(/\{\w+\}|engineText\./);
      }
      // A bare stage change has nothing but the team's stage names.
      if (text.kind !== 'stage_changed') {
        expect(renderEngineText(text, 'en'), text.kind).not.toBe(renderEngineText(text, 'ja'));
        expect(renderEngineText(text, 'en'), text.kind).not.toMatch(/[（）、]|ヒアリング|アポイント|契約|更新|理由|決断/);
      }
    }
  });

  it("formats dates and amounts the reader's way", () => {
    expect(renderEngineText(EXAMPLES.renewal_hearing_due, 'en')).toBe('Renewal hearing: 株式会社テスト 年間保守');
    expect(renderEngineText(EXAMPLES.renewal_hearing_due, 'ja')).toBe('更新ヒアリング: 株式会社テスト 年間保守');
    expect(renderEngineText(EXAMPLES.contract_renewed, 'en')).toBe(
      'Contract renewed: 年間保守 (¥600,000 → ¥720,000, Apr 1, 2027 – Mar 31, 2028)',
    );
    expect(renderEngineText(EXAMPLES.contract_renewed, 'ja')).toBe(
      '契約更新: 年間保守（¥600,000 → ¥720,000、2027年4月1日 〜 2028年3月31日）',
    );
    expect(renderEngineText(EXAMPLES.renewal_proposed, 'en')).toBe('Renewal proposal: 年間保守 (Upsell ¥600,000 → ¥720,000)');
    expect(renderEngineText(EXAMPLES.moved_to_closing, 'en')).toBe('見積 → クロージング (decision by Dec 9, 2026)');
    expect(renderEngineText(EXAMPLES.contract_changed, 'en')).toBe(
      'Contract changed: 年間保守 (end Mar 31, 2027 → Jun 30, 2027, ¥650,000)',
    );
    const unmoved: EngineText = { kind: 'contract_changed', params: { ...EXAMPLES.contract_changed.params, old_end: null, amount: 12_345, currency: 'USD' } };
    expect(renderEngineText(unmoved, 'en')).toBe('Contract changed: 年間保守 (ends Jun 30, 2027, $123.45)');
  });

  it("says a lead's source and what brought it back in the reader's words, a team's own source as typed", () => {
    expect(renderEngineText(EXAMPLES.lead_received, 'en')).toBe('Lead L-3 received (Web form)');
    expect(renderEngineText(EXAMPLES.lead_received, 'ja')).toBe('リード L-3 受付（Webフォーム）');
    expect(renderEngineText({ kind: 'lead_received', params: { number: 4, source: 'セミナー' } }, 'en')).toBe('Lead L-4 received (セミナー)');
    expect(renderEngineText(EXAMPLES.lead_resurfaced, 'en')).toBe('Lead L-3 resurfaced (a new inquiry)');
  });

  it('says why a sequence stopped or waits in the reader\'s words', () => {
    expect(renderEngineText(EXAMPLES.sequence_stopped, 'en')).toBe('Follow-up sequence stopped: 資料請求後フォロー (the customer replied)');
    expect(renderEngineText(EXAMPLES.sequence_stopped, 'ja')).toBe('追客シナリオ停止: 資料請求後フォロー（返信あり）');
    expect(renderEngineText(EXAMPLES.sequence_step_due, 'ja')).toBe('追客（資料請求後フォロー 2）: 株式会社テストへ電話');
    expect(renderEngineText(EXAMPLES.sequence_step_due, 'en')).toBe('Sequence (資料請求後フォロー 2): call 株式会社テスト');
  });

  it("shows a person's words as typed, and the engine's in the reader's language", () => {
    expect(shownText('見積回答の確認', null, 'en')).toBe('見積回答の確認');
    expect(shownText('次回アポイント: 株式会社テスト', EXAMPLES.next_appointment, 'en')).toBe('Next appointment: 株式会社テスト');
    // User text is never read as a template.
    const tricky: EngineText = { kind: 'contract_churned', params: { plan: '{reason}', reason: '<b>{plan}</b>' } };
    expect(renderEngineText(tricky, 'en')).toBe('Contract cancelled: {reason} (<b>{plan}</b>)');
  });
});
