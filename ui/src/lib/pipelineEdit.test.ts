import { describe, expect, it } from 'vitest';
import type { PipelineStages } from './generated/PipelineStages';
import type { Stage } from './generated/Stage';
import type { StageKind } from './generated/StageKind';
import type { TeamSettings } from './generated/TeamSettings';
import {
  addReason,
  charCount,
  checkPipeline,
  checkSettings,
  deadlineTooLong,
  insertAt,
  integerIn,
  isPipelineDirty,
  isSettingsDirty,
  moveItem,
  newPipelineId,
  newStage,
  newStageIndex,
  pickPipeline,
  problemPayload,
  removeAt,
  rowProblems,
  stageEdits,
  toDraft,
  withKind,
  type DraftStage,
} from './pipelineEdit';

function stage(id: string, name: string, position: number, kind: StageKind = 'open', extra: Partial<Stage> = {}): Stage {
  return {
    id,
    version: 1,
    pipeline_id: 'p1',
    name,
    position,
    probability: 10 * position,
    idle_days: 7,
    kind,
    is_closing: false,
    ...extra,
  };
}

const STAGES: Stage[] = [
  stage('s-lead', 'リード', 0),
  stage('s-prop', '提案', 1),
  stage('s-close', 'クロージング', 2, 'open', { is_closing: true }),
  stage('s-won', '受注', 3, 'won', { probability: 100, idle_days: 0 }),
  stage('s-lost', '失注', 4, 'lost', { probability: 0, idle_days: 0 }),
];

function pipeline(id: string, name = 'Sales', stages: Stage[] = STAGES): PipelineStages {
  return { pipeline: { id, version: 3, name, position: 0 }, stages };
}

function draft(): DraftStage[] {
  return toDraft(STAGES);
}

function settings(extra: Partial<TeamSettings> = {}): TeamSettings {
  return {
    cadence_days: [1, 3, 7, 14, 30],
    pushy_max_touches: 3,
    pushy_window_days: 7,
    retention_days_key: 30,
    retention_days_other: 90,
    renewal_hearing_days: 60,
    renewal_proposal_days: 30,
    renewal_post_days: 30,
    decision_deadline_days: 14,
    lost_reasons: ['価格', '機能不足'],
    reapproach_lead_days: 60,
    reapproach_unknown_months: 6,
    business_hours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00', holidays: [] },
    case_sla: {
      urgent: { first_response_hours: 1, resolution_hours: 9 },
      high: { first_response_hours: 2, resolution_hours: 18 },
      normal: { first_response_hours: 4, resolution_hours: 27 },
      low: { first_response_hours: 9, resolution_hours: 45 },
    },
    sla_warn_minutes: 60,
    handoff_ack_hours: 4,
    handoff_checklist: ['契約書・発注書を受領した'],
    lead_sources: ['web_form', 'other'],
    lead_disqualify_reasons: ['重複'],
    lead_assignment: { mode: 'nobody', members: [] },
    lead_first_response_hours: 1,
    nurture_check_in_months: 3,
    nurture_max_months: 24,
    ...extra,
  };
}

describe('toDraft and stageEdits', () => {
  it('orders the rows by position and keys them by id', () => {
    const shuffled = [STAGES[3], STAGES[0], STAGES[4], STAGES[2], STAGES[1]] as Stage[];
    const rows = toDraft(shuffled);
    expect(rows.map((r) => r.name)).toEqual(['リード', '提案', 'クロージング', '受注', '失注']);
    expect(rows.map((r) => r.key)).toEqual(['s-lead', 's-prop', 's-close', 's-won', 's-lost']);
  });

  it('maps rows to exactly the StageEdit fields, keeping ids and null for new stages', () => {
    const rows = [...draft().slice(0, 1), { ...newStage('tmp-1'), name: '見積' }];
    expect(stageEdits(rows)).toEqual([
      { id: 's-lead', name: 'リード', probability: 0, idle_days: 7, kind: 'open', is_closing: false },
      { id: null, name: '見積', probability: 50, idle_days: 14, kind: 'open', is_closing: false },
    ]);
    // No UI key leaks into what the engine receives.
    expect(Object.keys(stageEdits(rows)[0] ?? {})).not.toContain('key');
  });

  it('never sends a won or lost stage as the closing one', () => {
    const row: DraftStage = { ...newStage('k'), kind: 'won', is_closing: true };
    expect(stageEdits([row])[0]?.is_closing).toBe(false);
  });

  it('round-trips the loaded stages unchanged', () => {
    expect(stageEdits(draft())).toEqual(
      STAGES.map((s) => ({
        id: s.id,
        name: s.name,
        probability: s.probability,
        idle_days: s.idle_days,
        kind: s.kind,
        is_closing: s.is_closing,
      })),
    );
  });
});

describe('isPipelineDirty', () => {
  const original = pipeline('p1');

  it('is clean right after loading', () => {
    expect(isPipelineDirty('Sales', draft(), original)).toBe(false);
  });

  it('notices a renamed pipeline, an edited value, a reorder, an added and a removed stage', () => {
    expect(isPipelineDirty('Sales 2', draft(), original)).toBe(true);
    const edited = draft();
    edited[1] = { ...edited[1]!, idle_days: 30 };
    expect(isPipelineDirty('Sales', edited, original)).toBe(true);
    expect(isPipelineDirty('Sales', moveItem(draft(), 0, 1), original)).toBe(true);
    expect(isPipelineDirty('Sales', insertAt(draft(), 1, newStage('n')), original)).toBe(true);
    expect(isPipelineDirty('Sales', removeAt(draft(), 1), original)).toBe(true);
  });
});

describe('moveItem', () => {
  it('moves up and down by one place', () => {
    expect(moveItem(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
  });

  it('leaves the order alone past either end or for a bad index', () => {
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 5, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem([], 0, 1)).toEqual([]);
  });

  it('does not mutate its input', () => {
    const list = ['a', 'b'];
    const moved = moveItem(list, 0, 1);
    expect(list).toEqual(['a', 'b']);
    expect(moved).not.toBe(list);
  });
});

describe('removeAt and insertAt', () => {
  it('remove only the given index', () => {
    expect(removeAt(['a', 'b', 'c'], 1)).toEqual(['a', 'c']);
    expect(removeAt(['a'], 3)).toEqual(['a']);
  });

  it('insert at the index, clamped to the list', () => {
    expect(insertAt(['a', 'c'], 1, 'b')).toEqual(['a', 'b', 'c']);
    expect(insertAt(['a'], 9, 'z')).toEqual(['a', 'z']);
    expect(insertAt(['a'], -2, 'z')).toEqual(['z', 'a']);
  });
});

describe('new stages', () => {
  it('start blank, open and without an id', () => {
    expect(newStage('tmp')).toMatchObject({ key: 'tmp', id: null, name: '', kind: 'open', is_closing: false });
  });

  it('go after the last open stage, before won and lost', () => {
    expect(newStageIndex(draft())).toBe(3);
    const openAfterWon = [...draft(), { ...newStage('x'), name: 'Nurture' }];
    expect(newStageIndex(openAfterWon)).toBe(6);
    expect(newStageIndex([])).toBe(0);
    expect(newStageIndex(draft().slice(3))).toBe(0);
  });
});

describe('withKind', () => {
  it('drops the closing flag when a stage stops being open', () => {
    const closing = draft()[2]!;
    expect(withKind(closing, 'lost')).toMatchObject({ kind: 'lost', is_closing: false });
    expect(withKind(closing, 'open')).toMatchObject({ kind: 'open', is_closing: true });
  });

  it('leaves the input untouched', () => {
    const closing = draft()[2]!;
    withKind(closing, 'won');
    expect(closing.kind).toBe('open');
  });
});

describe('integerIn and charCount', () => {
  it('accept only whole numbers in range', () => {
    const r = { min: 0, max: 100 };
    expect(integerIn(0, r)).toBe(true);
    expect(integerIn(100, r)).toBe(true);
    expect(integerIn(101, r)).toBe(false);
    expect(integerIn(-1, r)).toBe(false);
    expect(integerIn(12.5, r)).toBe(false);
    expect(integerIn(null, r)).toBe(false);
    expect(integerIn(Number.NaN, r)).toBe(false);
    expect(integerIn('5', r)).toBe(false);
  });

  it('counts characters as the engine does, not UTF-16 units', () => {
    expect(charCount('𠮷野家')).toBe(3);
    expect(charCount('abc')).toBe(3);
  });
});

describe('checkPipeline', () => {
  it('accepts the default shape', () => {
    expect(checkPipeline('Sales', draft())).toBeNull();
  });

  it('requires a pipeline name within 100 characters', () => {
    expect(checkPipeline('  ', draft())).toEqual({ field: 'name', reason: 'required' });
    expect(checkPipeline('x'.repeat(101), draft())).toEqual({ field: 'name', reason: 'too_long' });
    expect(checkPipeline('x'.repeat(100), draft())).toBeNull();
  });

  it('checks stage names: required, at most 50 characters, unique after trimming', () => {
    const rows = draft();
    rows[0] = { ...rows[0]!, name: '　' };
    expect(checkPipeline('S', rows)).toEqual({ field: 'stage_name', reason: 'required' });
    rows[0] = { ...rows[0]!, name: 'あ'.repeat(51) };
    expect(checkPipeline('S', rows)).toEqual({ field: 'stage_name', reason: 'too_long' });
    rows[0] = { ...rows[0]!, name: ' 提案 ' };
    expect(checkPipeline('S', rows)).toEqual({ field: 'stage_name', reason: 'duplicate' });
  });

  it('checks probability and idle days ranges, including emptied fields', () => {
    const rows = draft();
    rows[1] = { ...rows[1]!, probability: 101 };
    expect(checkPipeline('S', rows)).toEqual({ field: 'probability', reason: 'range' });
    rows[1] = { ...rows[1]!, probability: null as unknown as number };
    expect(checkPipeline('S', rows)).toEqual({ field: 'probability', reason: 'range' });
    rows[1] = { ...rows[1]!, probability: 40, idle_days: 366 };
    expect(checkPipeline('S', rows)).toEqual({ field: 'idle_days', reason: 'range' });
    rows[1] = { ...rows[1]!, idle_days: 0 };
    expect(checkPipeline('S', rows)).toBeNull();
  });

  it('allows closing only on an open stage', () => {
    const rows = draft();
    rows[3] = { ...rows[3]!, is_closing: true };
    expect(checkPipeline('S', rows)).toEqual({ field: 'is_closing', reason: 'open_only' });
  });

  it('needs an open stage and exactly one won and one lost stage', () => {
    expect(checkPipeline('S', draft().slice(3))).toEqual({ field: 'stages', reason: 'no_open_stage' });
    expect(checkPipeline('S', removeAt(draft(), 4))).toEqual({ field: 'stages', reason: 'won_lost_required' });
    const twoWon = draft().map((s) => (s.key === 's-lost' ? withKind(s, 'won') : s));
    expect(checkPipeline('S', twoWon)).toEqual({ field: 'stages', reason: 'won_lost_required' });
  });
});

describe('rowProblems', () => {
  it('flags nothing on valid rows', () => {
    expect(rowProblems(draft())).toEqual([[], [], [], [], []]);
  });

  it('flags every row that shares a name, and bad numbers on their own row', () => {
    const rows = draft();
    rows[0] = { ...rows[0]!, name: '提案', probability: -5 };
    rows[4] = { ...rows[4]!, name: '', idle_days: 1.5 };
    expect(rowProblems(rows)).toEqual([['name', 'probability'], ['name'], [], [], ['name', 'idle_days']]);
  });
});

describe('pipeline list helpers', () => {
  it('find the pipeline that creation added', () => {
    const before = [pipeline('a')];
    expect(newPipelineId(before, [pipeline('a'), pipeline('b')])).toBe('b');
    expect(newPipelineId(before, before)).toBeNull();
  });

  it('keep the chosen pipeline while it exists, else fall back to the first', () => {
    const list = [pipeline('a'), pipeline('b')];
    expect(pickPipeline(list, 'b')).toBe('b');
    expect(pickPipeline(list, 'gone')).toBe('a');
    expect(pickPipeline(list, null)).toBe('a');
    expect(pickPipeline([], 'a')).toBeNull();
  });

  it('turn a problem into an invalid payload', () => {
    expect(problemPayload({ field: 'probability', reason: 'range' })).toEqual({
      code: 'invalid',
      message: '',
      field: 'probability',
      reason: 'range',
      current: null,
    });
  });
});

describe('addReason', () => {
  it('adds the trimmed text at the end', () => {
    expect(addReason(['価格'], '  タイミング　')).toEqual({ list: ['価格', 'タイミング'], problem: null });
  });

  it('refuses blank, duplicate (after trimming), too long and too many', () => {
    expect(addReason(['価格'], '   ')).toEqual({ list: ['価格'], problem: { field: 'lost_reasons', reason: 'blank' } });
    expect(addReason(['価格'], ' 価格 ').problem).toEqual({ field: 'lost_reasons', reason: 'duplicate' });
    expect(addReason([], 'あ'.repeat(61)).problem).toEqual({ field: 'lost_reasons', reason: 'too_long' });
    expect(addReason([], 'あ'.repeat(60)).problem).toBeNull();
    const full = Array.from({ length: 30 }, (_, i) => `r${i}`);
    expect(addReason(full, 'one more')).toEqual({ list: full, problem: { field: 'lost_reasons', reason: 'too_many' } });
    expect(addReason(full.slice(1), 'one more').list).toHaveLength(30);
  });

  it('does not mutate the list it was given', () => {
    const list = ['価格'];
    addReason(list, '予算');
    expect(list).toEqual(['価格']);
  });
});

describe('checkSettings', () => {
  it('accepts the defaults', () => {
    expect(checkSettings(settings())).toBeNull();
  });

  it('requires at least one distinct, non-blank lost reason', () => {
    expect(checkSettings(settings({ lost_reasons: [] }))).toEqual({ field: 'lost_reasons', reason: 'required' });
    expect(checkSettings(settings({ lost_reasons: ['a', ' '] }))).toEqual({ field: 'lost_reasons', reason: 'blank' });
    expect(checkSettings(settings({ lost_reasons: ['a', 'a '] }))).toEqual({ field: 'lost_reasons', reason: 'duplicate' });
    const many = Array.from({ length: 31 }, (_, i) => `r${i}`);
    expect(checkSettings(settings({ lost_reasons: many }))).toEqual({ field: 'lost_reasons', reason: 'too_many' });
  });

  it('checks each number range at its bounds', () => {
    expect(checkSettings(settings({ decision_deadline_days: 1 }))).toBeNull();
    expect(checkSettings(settings({ decision_deadline_days: 90 }))).toBeNull();
    expect(checkSettings(settings({ decision_deadline_days: 0 }))).toEqual({
      field: 'decision_deadline_days',
      reason: 'range',
    });
    expect(checkSettings(settings({ decision_deadline_days: 91 }))?.field).toBe('decision_deadline_days');
    expect(checkSettings(settings({ reapproach_lead_days: 0 }))).toBeNull();
    expect(checkSettings(settings({ reapproach_lead_days: 366 }))?.field).toBe('reapproach_lead_days');
    expect(checkSettings(settings({ reapproach_unknown_months: 0 }))?.field).toBe('reapproach_unknown_months');
    expect(checkSettings(settings({ reapproach_unknown_months: 37 }))?.field).toBe('reapproach_unknown_months');
    expect(checkSettings(settings({ reapproach_unknown_months: null as unknown as number }))?.field).toBe(
      'reapproach_unknown_months',
    );
  });

  it('tells changed settings from unchanged ones', () => {
    expect(isSettingsDirty(settings(), settings())).toBe(false);
    expect(isSettingsDirty(settings(), settings({ lost_reasons: ['価格'] }))).toBe(true);
    expect(isSettingsDirty(settings(), settings({ decision_deadline_days: 7 }))).toBe(true);
  });

  it('warns about a deadline default beyond two weeks', () => {
    expect(deadlineTooLong(14)).toBe(false);
    expect(deadlineTooLong(15)).toBe(true);
    expect(deadlineTooLong(null)).toBe(false);
  });
});
