import type { Chart } from './generated/Chart';
import type { Language } from './generated/Language';
import type { LabelKind } from './generated/LabelKind';
import type { NumberStyle } from './generated/NumberStyle';
import type { ReportFilter } from './generated/ReportFilter';
import type { TableCell } from './generated/TableCell';
import type { Unit } from './generated/Unit';
import { formatMoney, formatNumber, minorUnits } from './format';
import { localeOf, translate } from './i18n/translate';

// Everything a chart shows as text, as plain functions of the language and
// the number style so they are tested without a window (charts.test.ts);
// the ECharts option is built here too, from the one chart shape.

/**
 * Okabe & Ito's palette, chosen to stay distinguishable with every common
 * colour-vision deficiency; each series also gets its own fill pattern
 * (ECharts' decals) so colour is never the only cue.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** A value as its unit reads: money in its currency, 万/億 (or K/M) when compact. */
export function formatValue(
  value: number | null,
  unit: Unit,
  currency: string | null,
  lang: Language,
  style: NumberStyle,
): string {
  if (value === null || Number.isNaN(value)) return '–';
  switch (unit) {
    case 'money': {
      const code = (currency ?? 'JPY').toUpperCase();
      if (style === 'full' || Math.abs(value / 10 ** minorUnits(code)) < 10_000) return formatMoney(value, code, lang);
      return compactMoney(value / 10 ** minorUnits(code), code, lang);
    }
    case 'count':
      return style === 'compact' && Math.abs(value) >= 10_000 ? compact(value, lang) : formatNumber(value, lang);
    case 'days':
      return translate(lang, 'dashboard.unit.days', { n: formatNumber(value, lang, value % 1 === 0 ? 0 : 1) });
    case 'percent':
      return `${formatNumber(value, lang, value % 1 === 0 ? 0 : 1)}%`;
  }
}

function compact(value: number, lang: Language): string {
  // ja-JP's compact notation is 万 and 億 (1250万, 3.2億); en's is K/M/B.
  return new Intl.NumberFormat(localeOf(lang), { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}

function compactMoney(value: number, code: string, lang: Language): string {
  try {
    return new Intl.NumberFormat(localeOf(lang), {
      style: 'currency',
      currency: code,
      notation: 'compact',
      // A currency's own minimum (2 for USD) would write $1400.0万 on an axis.
      minimumFractionDigits: 0,
      maximumFractionDigits: 1,
    })
      .format(value)
      .replace('￥', '¥');
  } catch {
    return `${compact(value, lang)} ${code}`;
  }
}

/** A category's or series' label in the user's language. */
export function labelText(label: string, kind: LabelKind, lang: Language): string {
  switch (kind) {
    case 'text':
      return label;
    case 'code': {
      // `by_amount:USD`: a code with the currency it is about.
      const [code, currency] = label.split(':');
      return translate(lang, `dashboard.code.${code}` as never, currency ? { currency } : undefined);
    }
    case 'month': {
      const [y, m] = label.split('-').map(Number);
      return new Intl.DateTimeFormat(localeOf(lang), { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(
        new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1)),
      );
    }
    case 'week': {
      const [y, m, d] = label.split('-').map(Number);
      const day = new Intl.DateTimeFormat(localeOf(lang), { month: 'numeric', day: 'numeric', timeZone: 'UTC' }).format(
        new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)),
      );
      return translate(lang, 'dashboard.weekOf', { date: day });
    }
  }
}

/** The chart's title, with its currency when it is one of several money charts. */
export function chartTitle(chart: Chart, lang: Language): string {
  const title = translate(lang, `dashboard.chart.${chart.id}` as never);
  return chart.currency ? `${title} (${chart.currency})` : title;
}

/** A stable key for a chart (money charts come once per currency). */
export function chartKey(chart: Chart): string {
  return chart.currency ? `${chart.id}-${chart.currency}` : chart.id;
}

/** The number a spreadsheet gets: money in the currency's main unit. */
function cellValue(value: number | null, chart: Chart): TableCell {
  if (value === null) return 'empty';
  if (chart.unit === 'money') return { number: value / 10 ** minorUnits(chart.currency ?? 'JPY') };
  return { number: value };
}

export interface ShownTable {
  header: string[];
  /** As the table view shows them (every digit). */
  rows: string[][];
  /** As a file gets them (numbers stay numbers). */
  cells: TableCell[][];
}

/** The chart as a table: a row per category, a column per series. */
export function tableOf(chart: Chart, lang: Language): ShownTable {
  const header = [
    translate(lang, `dashboard.axis.${chart.id}` as never),
    ...chart.series.map((s) => labelText(s.label, s.kind, lang)),
  ];
  const rows: string[][] = [];
  const cells: TableCell[][] = [];
  chart.categories.forEach((c, i) => {
    const label = labelText(c.label, c.kind, lang);
    const values = chart.series.map((s) => s.values[i] ?? null);
    rows.push([label, ...values.map((v) => formatValue(v, chart.unit, chart.currency, lang, 'full'))]);
    cells.push([{ text: label }, ...values.map((v) => cellValue(v, chart))]);
  });
  return { header, rows, cells };
}

/** Whether every value is empty or zero: the card says "nothing yet" instead of drawing nothing. */
export function isEmpty(chart: Chart): boolean {
  return chart.categories.length === 0 || chart.series.every((s) => s.values.every((v) => v === null || v === 0));
}

/** The file name the save dialog suggests: `案件数_20261201.csv`. */
export function chartFileName(title: string, ext: string, today: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const safe = title.replace(/[\\/:*?"<>|]/g, ' ').trim();
  return `${safe}_${today.getFullYear()}${pad(today.getMonth() + 1)}${pad(today.getDate())}.${ext}`;
}

/** Days as the filter sends them: YYYY-MM-DD on the user's calendar. */
function isoDay(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export type PeriodPreset = 'month' | 'quarter' | 'half' | 'year';

/** A period starting with this month (or quarter, or year), so the forecast looks ahead. */
export function presetPeriod(preset: PeriodPreset, today: Date): Pick<ReportFilter, 'from' | 'to'> {
  const y = today.getFullYear();
  const m = today.getMonth();
  switch (preset) {
    case 'month':
      return { from: isoDay(new Date(y, m, 1)), to: isoDay(new Date(y, m + 1, 0)) };
    case 'quarter': {
      const q = Math.floor(m / 3) * 3;
      return { from: isoDay(new Date(y, q, 1)), to: isoDay(new Date(y, q + 3, 0)) };
    }
    case 'half':
      return { from: isoDay(new Date(y, m - 2, 1)), to: isoDay(new Date(y, m + 4, 0)) };
    case 'year':
      return { from: isoDay(new Date(y, 0, 1)), to: isoDay(new Date(y, 12, 0)) };
  }
}

/** The ECharts option of a chart: bars, patterns, labels in the user's language. */
export function chartOption(chart: Chart, lang: Language, style: NumberStyle): Record<string, unknown> {
  const fmt = (v: number | null): string => formatValue(v, chart.unit, chart.currency, lang, style);
  const categories = chart.categories.map((c) => labelText(c.label, c.kind, lang));
  const few = chart.categories.length <= 8 && chart.series.length <= 3;
  return {
    animation: false,
    color: PALETTE,
    // Each series gets a fill pattern as well as a colour, and ECharts
    // writes a description of the chart for screen readers.
    aria: { enabled: true, decal: { show: true } },
    textStyle: { fontFamily: 'inherit' },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: fmt },
    legend: { top: 0, type: 'scroll', textStyle: { fontSize: 11 } },
    grid: { left: 8, right: 12, top: 30, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: categories,
      axisLabel: { interval: 0, fontSize: 11, rotate: categories.length > 6 ? 30 : 0, hideOverlap: true },
    },
    yAxis: {
      type: 'value',
      max: chart.unit === 'percent' ? 100 : undefined,
      minInterval: chart.unit === 'count' ? 1 : undefined,
      axisLabel: { fontSize: 11, formatter: (v: number) => fmt(v) },
    },
    series: chart.series.map((s) => ({
      type: 'bar',
      name: labelText(s.label, s.kind, lang),
      data: s.values.map((v) => (v === null ? '-' : v)),
      stack: chart.stacked ? 'all' : undefined,
      barMaxWidth: 36,
      cursor: 'pointer',
      // Values written on the bars where they fit: the figure is readable
      // without telling colours or patterns apart.
      label: {
        show: few || chart.stacked,
        position: chart.stacked ? 'inside' : 'top',
        fontSize: 10,
        formatter: (p: { value: number | string }) =>
          typeof p.value === 'number' && p.value !== 0 ? fmt(p.value) : '',
      },
    })),
  };
}
