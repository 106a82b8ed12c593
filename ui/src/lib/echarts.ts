// ECharts with only what the dashboard draws (bars, axes, tooltip, legend,
// the aria module for patterns and descriptions, the canvas renderer), so
// the bundle carries a fraction of the library (docs/reports.md).
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import langJA from 'echarts/i18n/langJA-obj.js';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);
echarts.registerLocale('JA', langJA as Parameters<typeof echarts.registerLocale>[1]);

export { echarts };
export type ECharts = ReturnType<typeof echarts.init>;
