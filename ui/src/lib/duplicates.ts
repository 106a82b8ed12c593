import type { Company } from './generated/Company';
import type { CompanyField } from './generated/CompanyField';
import type { CompanyMergePreview } from './generated/CompanyMergePreview';
import type { Contact } from './generated/Contact';
import type { ContactField } from './generated/ContactField';
import type { ContactMergePreview } from './generated/ContactMergePreview';
import type { MessageKey } from './i18n/i18n.svelte';

/** The merge dialog's question, for either kind of record. */
export type Preview = { kind: 'companies'; preview: CompanyMergePreview } | { kind: 'contacts'; preview: ContactMergePreview };

export type Field = CompanyField | ContactField;

/** One row of the dialog: a field that differs, with both values as shown. */
export interface FieldRow {
  field: Field;
  label: MessageKey;
  survivor: string;
  loser: string;
}

/** `segment` shows in words; the caller passes the translator. */
type Words = (key: MessageKey) => string;

function companyValue(c: Company, field: CompanyField, words: Words): string {
  switch (field) {
    case 'name':
      return c.name;
    case 'name_kana':
      return c.name_kana;
    case 'industry':
      return c.industry;
    case 'segment':
      return words(`segment.${c.segment}`);
    case 'owner':
      return c.owner_name ?? '';
    case 'address':
      return c.address;
    case 'phone':
      return c.phone;
    case 'website':
      return c.website;
  }
}

function contactValue(c: Contact, field: ContactField): string {
  switch (field) {
    case 'name':
      return c.name;
    case 'name_kana':
      return c.name_kana;
    case 'title':
      return c.title;
    case 'email':
      return c.email;
    case 'phone':
      return c.phone;
  }
}

/** The differing fields side by side, in the engine's order. */
export function fieldRows(p: Preview, words: Words): FieldRow[] {
  if (p.kind === 'companies') {
    const { survivor, loser } = p.preview;
    return p.preview.differing.map((field) => ({
      field,
      label: `duplicates.fields.${field}`,
      survivor: companyValue(survivor, field, words),
      loser: companyValue(loser, field, words),
    }));
  }
  const { survivor, loser } = p.preview;
  return p.preview.differing.map((field) => ({
    field,
    label: `duplicates.fields.${field}`,
    survivor: contactValue(survivor, field),
    loser: contactValue(loser, field),
  }));
}

/** What the dialog starts with: the fields the survivor leaves empty come from the other. */
export function initialTake(p: Preview): Set<Field> {
  return new Set<Field>(p.preview.suggested);
}

/** The fields to take, in the engine's order (a stable request for the same choice). */
export function takeList<F extends Field>(p: { differing: F[] }, take: ReadonlySet<Field>): F[] {
  return p.differing.filter((f) => take.has(f));
}
