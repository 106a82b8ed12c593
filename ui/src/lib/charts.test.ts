import { describe, expect, it } from 'vitest';
import { chartFileName, chartOption, formatValue, isEmpty, labelText, presetPeriod, tableOf } from './charts';
import type { Chart } from './generated/Chart';

const chart: Chart = {
  id: 'pipeline_amount',
  currency: 'JPY',
  unit: 'money',
  stacked: false,
  drill: 'deals',
  categories: [
    { key: 's1', label: '提案', kind: 'text' },
    { key: 's2', label: '見積', kind: 'text' },
  ],
  series: [
    { key: 'amount', label: 'amount', kind: 'code', values: [12_500_000, null] },
    { key: 'week_ago', label: 'week_ago', kind: 'code', values: [320_000_000, 0] },
  ],
};

describe('formatValue', () => {
  it('writes large amounts in 万 and 億, or every digit, as the user chose', () => {
    expect(formatValue(12_500_000, 'money', 'JPY', 'ja', 'compact')).toBe('¥1250万');
    expect(formatValue(320_000_000, 'money', 'JPY', 'ja', 'compact')).toBe('¥3.2億');
    expect(formatValue(12_500_000, 'money', 'JPY', 'ja', 'full')).toBe('¥12,500,000');
    expect(formatValue(12_500_000, 'money', 'JPY', 'en', 'compact')).toBe('¥12.5M');
    // Small amounts stay whole; cents are the minor unit.
    expect(formatValue(9_800, 'money', 'JPY', 'ja', 'compact')).toBe('¥9,800');
    expect(formatValue(123_456, 'money', 'USD', 'en', 'full')).toBe('$1,234.56');
    // A dollar amount in 万 drops the cents' ".0" as yen does (an axis read $1400.0万).
    expect(formatValue(1_400_000_000, 'money', 'USD', 'ja', 'compact')).toBe('$1400万');
  });

  it('writes counts, days and percents in the user’s language', () => {
    expect(formatValue(25_000, 'count', null, 'ja', 'compact')).toBe('2.5万');
    expect(formatValue(25_000, 'count', null, 'ja', 'full')).toBe('25,000');
    expect(formatValue(12.5, 'days', null, 'ja', 'full')).toBe('12.5日');
    expect(formatValue(3, 'days', null, 'en', 'full')).toBe('3 d');
    expect(formatValue(66.7, 'percent', null, 'en', 'full')).toBe('66.7%');
    expect(formatValue(null, 'percent', null, 'en', 'full')).toBe('–');
  });
});

describe('labels', () => {
  it('translates codes, months and weeks', () => {
    expect(labelText('week_ago', 'code', 'ja')).toBe('1週間前');
    expect(labelText('week_ago', 'code', 'en')).toBe('A week ago');
    expect(labelText('by_amount:USD', 'code', 'en')).toBe('By amount (USD)');
    expect(labelText('2026-11', 'month', 'ja')).toBe('2026年11月');
    expect(labelText('2026-11', 'month', 'en')).toBe('Nov 2026');
    expect(labelText('2026-11-23', 'week', 'ja')).toBe('11/23の週');
    expect(labelText('見積', 'text', 'en')).toBe('見積');
    // The support and leads charts' codes: a built-in source, a service level.
    expect(labelText('source_web_form', 'code', 'ja')).toBe('Webフォーム');
    expect(labelText('sla_overdue', 'code', 'en')).toBe('Overdue, still open');
    expect(labelText('case_complaint', 'code', 'ja')).toBe('苦情');
  });
});

describe('tableOf', () => {
  it('has a row per category and a column per series, numbers kept for the file', () => {
    const t = tableOf(chart, 'ja');
    expect(t.header).toEqual(['ステージ', '金額', '1週間前']);
    expect(t.rows).toEqual([
      ['提案', '¥12,500,000', '¥320,000,000'],
      ['見積', '–', '¥0'],
    ]);
    expect(t.cells[0]).toEqual([{ text: '提案' }, { number: 12_500_000 }, { number: 320_000_000 }]);
    expect(t.cells[1]![1]).toBe('empty');
    // Dollars go to the file in dollars, not cents.
    const usd = tableOf({ ...chart, currency: 'USD' }, 'en');
    expect(usd.cells[0]![1]).toEqual({ number: 125_000 });
  });
});

describe('the chart option', () => {
  it('gives every series a pattern besides its colour and formats the axis as the user chose', () => {
    const o = chartOption(chart, 'ja', 'compact') as {
      aria: { decal: { show: boolean } };
      color: string[];
      yAxis: { axisLabel: { formatter: (v: number) => string } };
      series: { name: string; data: unknown[] }[];
    };
    expect(o.aria.decal.show).toBe(true);
    expect(o.color[0]).toBe('#0072B2');
    expect(o.yAxis.axisLabel.formatter(12_500_000)).toBe('¥1250万');
    expect(o.series.map((s) => s.name)).toEqual(['金額', '1週間前']);
    expect(o.series[0]!.data).toEqual([12_500_000, '-']);
  });
});

describe('the rest', () => {
  it('knows an empty chart, names a file and picks periods', () => {
    expect(isEmpty(chart)).toBe(false);
    expect(isEmpty({ ...chart, series: [{ ...chart.series[0]!, values: [0, null] }] })).toBe(true);
    expect(chartFileName('金額 (JPY)/週', 'csv', new Date(2026, 11, 1))).toBe('金額 (JPY) 週_20261201.csv');
    expect(presetPeriod('quarter', new Date(2026, 10, 25))).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(presetPeriod('month', new Date(2026, 1, 10))).toEqual({ from: '2026-02-01', to: '2026-02-28' });
  });
});
