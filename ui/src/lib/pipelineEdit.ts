import type { ErrorPayload } from './generated/ErrorPayload';
import type { PipelineStages } from './generated/PipelineStages';
import type { Stage } from './generated/Stage';
import type { StageEdit } from './generated/StageEdit';
import type { StageKind } from './generated/StageKind';
import type { TeamSettings } from './generated/TeamSettings';

// The pure logic of the pipeline and team-settings editors in Settings, apart
// from the DOM so it is tested without a window. The engine validates every
// save again; the checks here mirror its limits (core/src/pipeline/stage.rs and
// team/settings.rs) so the user hears about a mistake before the round trip, and
// so nothing that cannot even be deserialised (an empty number field) is sent.

export const PIPELINE_NAME_MAX = 100;
export const STAGE_NAME_MAX = 50;
export const PROBABILITY_RANGE = { min: 0, max: 100 } as const;
export const IDLE_DAYS_RANGE = { min: 0, max: 365 } as const;
export const LOST_REASON_MAX_CHARS = 60;
export const LOST_REASONS_MAX = 30;
export const DECISION_DEADLINE_RANGE = { min: 1, max: 90 } as const;
/** Beyond this a customer who postpones forgets (docs/sales-methods.md, "Decision deadline"). */
export const DECISION_DEADLINE_ADVISED_MAX = 14;
export const REAPPROACH_LEAD_RANGE = { min: 0, max: 365 } as const;
export const REAPPROACH_MONTHS_RANGE = { min: 1, max: 36 } as const;

/** A validation problem, named like the engine's `invalid` errors. */
export type Problem = { field: string; reason: string };

/** As the payload the engine would have rejected with, for `errorText`. */
export function problemPayload(problem: Problem): ErrorPayload {
  return { code: 'invalid', message: '', field: problem.field, reason: problem.reason, current: null };
}

/** Characters as the engine counts them (Unicode scalar values, not UTF-16 units). */
export function charCount(text: string): number {
  return [...text].length;
}

/** A whole number within [min, max]; an emptied number field (null, NaN) is not. */
export function integerIn(value: unknown, range: { readonly min: number; readonly max: number }): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max;
}

// ---------------------------------------------------------------- pipelines

/** One row of the stage table: the edit the engine takes, plus a stable key for the list. */
export type DraftStage = StageEdit & { key: string };

/** The editable rows for a pipeline's stages, in board order. */
export function toDraft(stages: readonly Stage[]): DraftStage[] {
  return [...stages]
    .sort((a, b) => a.position - b.position)
    .map((s) => ({
      key: s.id,
      id: s.id,
      name: s.name,
      probability: s.probability,
      idle_days: s.idle_days,
      kind: s.kind,
      is_closing: s.is_closing,
    }));
}

/** What `savePipeline` takes: the rows in order, without the UI's keys. */
export function stageEdits(stages: readonly DraftStage[]): StageEdit[] {
  return stages.map((s) => ({
    id: s.id,
    name: s.name,
    probability: s.probability,
    idle_days: s.idle_days,
    kind: s.kind,
    is_closing: s.kind === 'open' && s.is_closing,
  }));
}

/** True when the name or the stages differ from what was loaded. */
export function isPipelineDirty(name: string, stages: readonly DraftStage[], original: PipelineStages): boolean {
  if (name !== original.pipeline.name) return true;
  return JSON.stringify(stageEdits(stages)) !== JSON.stringify(stageEdits(toDraft(original.stages)));
}

/**
 * The list with the item at `index` moved by `delta` places (-1 up, +1 down).
 * A move past either end leaves the order as it is.
 */
export function moveItem<T>(list: readonly T[], index: number, delta: number): T[] {
  const target = index + delta;
  const out = [...list];
  if (index < 0 || index >= list.length || target < 0 || target >= list.length) return out;
  const [item] = out.splice(index, 1);
  out.splice(target, 0, item as T);
  return out;
}

/** The list without the item at `index`. */
export function removeAt<T>(list: readonly T[], index: number): T[] {
  return list.filter((_, i) => i !== index);
}

/** A blank open stage for the user to name (it has no id until saved). */
export function newStage(key: string): DraftStage {
  return { key, id: null, name: '', probability: 50, idle_days: 14, kind: 'open', is_closing: false };
}

/**
 * Where a new stage goes: after the last open stage, so it lands before the
 * won and lost columns that end the board.
 */
export function newStageIndex(stages: readonly DraftStage[]): number {
  for (let i = stages.length - 1; i >= 0; i--) {
    if (stages[i]?.kind === 'open') return i + 1;
  }
  return 0;
}

/** The list with `stage` inserted at `index`. */
export function insertAt<T>(list: readonly T[], index: number, item: T): T[] {
  const out = [...list];
  out.splice(Math.min(Math.max(index, 0), out.length), 0, item);
  return out;
}

/** The stage with another kind; only an open stage can be the closing one. */
export function withKind(stage: DraftStage, kind: StageKind): DraftStage {
  return { ...stage, kind, is_closing: kind === 'open' ? stage.is_closing : false };
}

export type StageField = 'name' | 'probability' | 'idle_days' | 'is_closing';

/** Per row, the fields the engine would reject on their own or for a clash with another row. */
export function rowProblems(stages: readonly DraftStage[]): StageField[][] {
  const counts = new Map<string, number>();
  for (const s of stages) {
    const name = s.name.trim();
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return stages.map((s) => {
    const fields: StageField[] = [];
    const name = s.name.trim();
    if (!name || charCount(name) > STAGE_NAME_MAX || (counts.get(name) ?? 0) > 1) fields.push('name');
    if (!integerIn(s.probability, PROBABILITY_RANGE)) fields.push('probability');
    if (!integerIn(s.idle_days, IDLE_DAYS_RANGE)) fields.push('idle_days');
    if (s.is_closing && s.kind !== 'open') fields.push('is_closing');
    return fields;
  });
}

/** The first problem the engine would report for this pipeline, in its order; null when none. */
export function checkPipeline(name: string, stages: readonly DraftStage[]): Problem | null {
  const trimmed = name.trim();
  if (!trimmed) return { field: 'name', reason: 'required' };
  if (charCount(trimmed) > PIPELINE_NAME_MAX) return { field: 'name', reason: 'too_long' };
  const seen = new Set<string>();
  for (const s of stages) {
    const stageName = s.name.trim();
    if (!stageName) return { field: 'stage_name', reason: 'required' };
    if (charCount(stageName) > STAGE_NAME_MAX) return { field: 'stage_name', reason: 'too_long' };
    if (seen.has(stageName)) return { field: 'stage_name', reason: 'duplicate' };
    seen.add(stageName);
    if (!integerIn(s.probability, PROBABILITY_RANGE)) return { field: 'probability', reason: 'range' };
    if (!integerIn(s.idle_days, IDLE_DAYS_RANGE)) return { field: 'idle_days', reason: 'range' };
    if (s.is_closing && s.kind !== 'open') return { field: 'is_closing', reason: 'open_only' };
  }
  if (!stages.some((s) => s.kind === 'open')) return { field: 'stages', reason: 'no_open_stage' };
  const count = (kind: StageKind): number => stages.filter((s) => s.kind === kind).length;
  if (count('won') !== 1 || count('lost') !== 1) return { field: 'stages', reason: 'won_lost_required' };
  return null;
}

/** The pipeline `createPipeline` added: the one in `after` that was not in `before`. */
export function newPipelineId(before: readonly PipelineStages[], after: readonly PipelineStages[]): string | null {
  const known = new Set(before.map((p) => p.pipeline.id));
  return after.find((p) => !known.has(p.pipeline.id))?.pipeline.id ?? null;
}

/**
 * Which pipeline to show after the list changed: the wanted one if it is
 * still there, else the first (a colleague may have deleted it).
 */
export function pickPipeline(list: readonly PipelineStages[], wanted: string | null): string | null {
  if (wanted !== null && list.some((p) => p.pipeline.id === wanted)) return wanted;
  return list[0]?.pipeline.id ?? null;
}

// ------------------------------------------------------------ team settings

/**
 * The preset list with `text` added (trimmed), or the list unchanged and the
 * reason it was refused.
 */
export function addReason(list: readonly string[], text: string): { list: string[]; problem: Problem | null } {
  const reason = text.trim();
  const refuse = (why: string) => ({ list: [...list], problem: { field: 'lost_reasons', reason: why } });
  if (!reason) return refuse('blank');
  if (charCount(reason) > LOST_REASON_MAX_CHARS) return refuse('too_long');
  if (list.some((r) => r.trim() === reason)) return refuse('duplicate');
  if (list.length >= LOST_REASONS_MAX) return refuse('too_many');
  return { list: [...list, reason], problem: null };
}

/** True when the two settings differ in any value. */
export function isSettingsDirty(a: TeamSettings, b: TeamSettings): boolean {
  return JSON.stringify(a) !== JSON.stringify(b);
}

/** The first problem the engine would report for these settings, in its order; null when none. */
export function checkSettings(s: TeamSettings): Problem | null {
  const seen = new Set<string>();
  for (const raw of s.lost_reasons) {
    const reason = raw.trim();
    if (!reason) return { field: 'lost_reasons', reason: 'blank' };
    if (charCount(reason) > LOST_REASON_MAX_CHARS) return { field: 'lost_reasons', reason: 'too_long' };
    if (seen.has(reason)) return { field: 'lost_reasons', reason: 'duplicate' };
    seen.add(reason);
  }
  if (seen.size === 0) return { field: 'lost_reasons', reason: 'required' };
  if (seen.size > LOST_REASONS_MAX) return { field: 'lost_reasons', reason: 'too_many' };
  if (!integerIn(s.reapproach_lead_days, REAPPROACH_LEAD_RANGE)) return { field: 'reapproach_lead_days', reason: 'range' };
  if (!integerIn(s.reapproach_unknown_months, REAPPROACH_MONTHS_RANGE)) {
    return { field: 'reapproach_unknown_months', reason: 'range' };
  }
  if (!integerIn(s.decision_deadline_days, DECISION_DEADLINE_RANGE)) {
    return { field: 'decision_deadline_days', reason: 'range' };
  }
  return null;
}

/** A deadline default long enough for the customer to forget (still allowed, but warned about). */
export function deadlineTooLong(days: unknown): boolean {
  return typeof days === 'number' && days > DECISION_DEADLINE_ADVISED_MAX;
}
