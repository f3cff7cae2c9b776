import type { SkillProgress } from './progress.js';

/**
 * The progress page's chart as geometry for the template (which renders the SVG, escaped): one
 * row per skill with a square per recent answer (filled = correct, hollow = not), so the chart
 * shows the same evidence the words state. The skills table beside it is its text alternative.
 */
export const CHART = { width: 320, row: 28, label: 150, box: 18, gap: 6 } as const;

export interface ChartRow {
  y: number;
  name: string;
  status: SkillProgress['status'];
  boxes: { x: number; correct: boolean }[];
}

export function progressChart(skills: SkillProgress[]): { width: number; height: number; rows: ChartRow[] } {
  const rows = skills.map((s, i) => ({
    y: i * CHART.row,
    name: s.name.length > 22 ? `${s.name.slice(0, 21)}…` : s.name,
    status: s.status,
    boxes: s.latest.map((correct, j) => ({ x: CHART.label + j * (CHART.box + CHART.gap), correct })),
  }));
  return { width: CHART.width, height: Math.max(rows.length, 1) * CHART.row, rows };
}
