import { formatDate, formatMoney } from './format';
import type { EngineText } from './generated/EngineText';
import type { Language } from './generated/Language';
import { catalogs, lookup, translate } from './i18n/translate';
import type { MessageKey, Params } from './i18n/types';

// What Kizuna itself wrote — the titles of the follow-ups it plans, the
// summaries of the timeline entries it records — comes from the engine as a
// kind with its parameters (docs/architecture.md, "The engine stores what
// happened"). Every view shows it through `shownText`, so each reader sees
// it in their own language, with their own date and money formats.

/** The catalogue entry and the parameters, formatted for the reader, of one kind. */
function words(text: EngineText, lang: Language): [MessageKey, Params] {
  const day = (d: string): string => formatDate(d, lang, 'plain');
  switch (text.kind) {
    case 'next_appointment':
    case 'decision_deadline':
    case 'reapproach':
    case 'churn_reapproach':
    case 'renewal_hearing_due':
    case 'renewal_proposal_due':
    case 'post_renewal_due':
    case 'stage_changed':
    case 'renewal_procedure':
    case 'post_renewal_done':
    case 'contract_churned':
      // Names, plans and reasons are the team's own words, shown as typed.
      return [`engineText.${text.kind}`, text.params];
    case 'moved_to_closing':
      return ['engineText.moved_to_closing', { ...text.params, deadline: day(text.params.deadline) }];
    case 'contract_started':
      return ['engineText.contract_started', { ...text.params, start: day(text.params.start), end: day(text.params.end) }];
    case 'contract_changed': {
      const p = text.params;
      const params = { plan: p.plan, end: day(p.end), amount: formatMoney(p.amount, p.currency, lang) };
      return p.old_end === null
        ? ['engineText.contract_changed', params]
        : ['engineText.contract_changed_end_moved', { ...params, old_end: day(p.old_end) }];
    }
    case 'renewal_hearing_held':
      return ['engineText.renewal_hearing_held', text.params];
    case 'renewal_proposed': {
      const p = text.params;
      return [
        'engineText.renewal_proposed',
        {
          plan: p.plan,
          proposal: translate(lang, `stepDialog.${p.proposal}`),
          amount: formatMoney(p.amount, p.currency, lang),
          new_amount: formatMoney(p.new_amount, p.currency, lang),
        },
      ];
    }
    case 'contract_renewed': {
      const p = text.params;
      return [
        'engineText.contract_renewed',
        {
          plan: p.plan,
          amount: formatMoney(p.amount, p.currency, lang),
          new_amount: formatMoney(p.new_amount, p.currency, lang),
          start: day(p.start),
          end: day(p.end),
        },
      ];
    }
    case 'thank_you_sent':
      return ['engineText.thank_you_sent', {}];
    case 'case_opened': {
      const p = text.params;
      return [
        'engineText.case_opened',
        { number: String(p.number), subject: p.subject, category: caseLabel(lang, 'category', p.category), channel: caseLabel(lang, 'channel', p.channel) },
      ];
    }
    case 'case_replied':
    case 'case_noted':
      return [`engineText.${text.kind}`, { number: String(text.params.number), subject: text.params.subject }];
    case 'case_status_changed':
    case 'case_priority_changed': {
      const p = text.params;
      const group = text.kind === 'case_status_changed' ? 'status' : 'priority';
      return [
        `engineText.${text.kind}`,
        { number: String(p.number), subject: p.subject, from: caseLabel(lang, group, p.from), to: caseLabel(lang, group, p.to) },
      ];
    }
    case 'case_assigned': {
      const p = text.params;
      return p.assignee === null
        ? ['engineText.case_unassigned', { number: String(p.number), subject: p.subject }]
        : ['engineText.case_assigned', { number: String(p.number), subject: p.subject, assignee: p.assignee }];
    }
    case 'handoff_promise':
    case 'handoff_acknowledged':
      return [`engineText.${text.kind}`, text.params];
    case 'handoff_question':
    case 'handoff_answer':
      return [`engineText.${text.kind}`, {}];
    case 'handoff_sent':
      return text.params.to === null
        ? ['engineText.handoff_sent', {}]
        : ['engineText.handoff_sent_to', { to: text.params.to }];
    case 'case_to_sales_due':
      return [
        'engineText.case_to_sales_due',
        { ...text.params, kind: translate(lang, `toSales.kind.${text.params.kind}`) },
      ];
    case 'case_handed_to_sales':
      return [
        'engineText.case_handed_to_sales',
        { ...text.params, kind: translate(lang, `toSales.kind.${text.params.kind}`) },
      ];
    case 'lead_received':
      return ['engineText.lead_received', { number: String(text.params.number), source: leadSourceLabel(lang, text.params.source) }];
    case 'lead_assigned':
      return text.params.owner === null
        ? ['engineText.lead_unassigned', { number: String(text.params.number) }]
        : ['engineText.lead_assigned', { number: String(text.params.number), owner: text.params.owner }];
    case 'lead_contacted':
      return ['engineText.lead_contacted', { number: String(text.params.number) }];
    case 'lead_converted':
      return [
        'engineText.lead_converted',
        { number: String(text.params.number), company: text.params.company, source: leadSourceLabel(lang, text.params.source) },
      ];
    case 'lead_disqualified':
    case 'lead_nurtured':
      return [`engineText.${text.kind}`, { number: String(text.params.number), reason: text.params.reason }];
    case 'lead_resurfaced':
      return [
        'engineText.lead_resurfaced',
        { number: String(text.params.number), trigger: translate(lang, `leads.trigger.${text.params.trigger as ResurfaceTrigger}`) },
      ];
    case 'deal_nurtured':
    case 'mail_opt_out':
    case 'mail_opt_in':
    case 'nurture_check_in':
      return [`engineText.${text.kind}`, text.params];
    case 'sequence_step_due': {
      const p = text.params;
      const what = translate(lang, p.call ? 'engineText.sequence_step_call' : 'engineText.sequence_step_mail');
      return ['engineText.sequence_step_due', { sequence: p.sequence, company: p.company, step: String(p.step), what }];
    }
    case 'sequence_late_mail':
    case 'sequence_enrolled':
    case 'sequence_replied':
    case 'sequence_mail_sent':
    case 'company_merged':
    case 'contact_merged':
      return [`engineText.${text.kind}`, text.params];
    case 'sequence_stopped':
      return ['engineText.sequence_stopped', { ...text.params, reason: sequenceReason(lang, text.params.reason) }];
    case 'sequence_waiting':
      return ['engineText.sequence_waiting', { ...text.params, reason: sequenceReason(lang, text.params.reason) }];
  }
}

type ResurfaceTrigger = 'new_inquiry' | 'inbound_touch' | 'buying_signal';

/** A lead source in words: a built-in code in `lang`, a team's own word as typed. */
export function leadSourceLabel(lang: Language, code: string): string {
  // 'other' is spelt 'misc' in the catalogues: an 'other' key reads as a plural form there.
  const key = `leads.sources.${code === 'other' ? 'misc' : code}`;
  return lookup(catalogs[lang], key) === undefined ? code : translate(lang, key as MessageKey);
}

/** Why a sequence stopped or waits, in words; a code this build does not know, as it is. */
export function sequenceReason(lang: Language, code: string): string {
  const key = `sequences.reason.${code}`;
  return lookup(catalogs[lang], key) === undefined ? code : translate(lang, key as MessageKey);
}

/** A support case's code in words; a code this build does not know, as it is. */
export function caseLabel(lang: Language, group: 'category' | 'channel' | 'status' | 'priority', code: string): string {
  const key = `supportCase.${group}.${code}`;
  return lookup(catalogs[lang], key) === undefined ? code : translate(lang, key as MessageKey);
}

/** The case a timeline entry the engine wrote is about, if any. */
export function caseOf(text: EngineText | null): string | null {
  switch (text?.kind) {
    case 'case_opened':
    case 'case_replied':
    case 'case_noted':
    case 'case_status_changed':
    case 'case_assigned':
    case 'case_priority_changed':
      return text.params.case_id;
    default:
      return null;
  }
}

/** What the engine wrote, in `lang`. */
export function renderEngineText(text: EngineText, lang: Language): string {
  const [key, params] = words(text, lang);
  return translate(lang, key, params);
}

/**
 * The text a row shows: the engine's words in the reader's language, or what
 * a person typed (`stored`). A kind this version does not know comes as
 * null from the engine, so the stored words, in the writer's language, show.
 */
export function shownText(stored: string, text: EngineText | null, lang: Language): string {
  return text ? renderEngineText(text, lang) : stored;
}
