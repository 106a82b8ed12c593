// ECharts ships its locale objects as plain ES modules without types.
declare module 'echarts/i18n/langJA-obj.js' {
  const lang: Record<string, unknown>;
  export default lang;
}
