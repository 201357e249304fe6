// What each chart instance draws, read back from ECharts itself: the browser test compares it with
// the published CSVs, and clicks where pointOf says a bar is.
import type { ECharts } from 'echarts/core';
import type { ChartData } from './model.js';

export function inspectCharts(charts: Map<string, ECharts>) {
  const chartState = (name: string): ChartData | null => {
    const option = charts.get(name)?.getOption() as
      | { xAxis?: { data: string[] }[]; series: { name: string; data: (number | { name: string; value: number })[] }[] }
      | undefined;
    if (!option) return null;
    const series = option.series.map((s) => ({
      name: s.name,
      values: s.data.map((d) => (typeof d === 'number' ? d : d.value)),
    }));
    return { x: option.xAxis?.[0]?.data ?? [], series };
  };
  /** Where a click lands on a bar or point of a series (half its value up: inside a stacked bar). */
  const pointOf = (name: string, seriesIndex: number, xIndex: number): { x: number; y: number } | null => {
    const chart = charts.get(name);
    const value = chartState(name)?.series[seriesIndex]?.values[xIndex];
    if (!chart || value === undefined) return null;
    const [x = 0, y = 0] = chart.convertToPixel({ seriesIndex }, [xIndex, value / 2]) as number[];
    const box = chart.getDom().getBoundingClientRect();
    return { x: box.left + x, y: box.top + y };
  };
  return { chartState, pointOf };
}
