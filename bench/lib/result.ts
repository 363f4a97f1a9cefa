/**
 * Result model shared by every benchmark, the table printer and results JSON.
 *
 * A metric is one measured figure. When it has a baseline measured in the same run,
 * `ratio` is "how many times better than the baseline": value/baseline when higher is
 * better, baseline/value when lower is better, so ratio > 1 always means Alcove wins.
 * A goal is either on the value itself (`on: 'value'`) or on the ratio (`on: 'ratio'`).
 */

export type Better = 'higher' | 'lower';

export interface Goal {
  on: 'value' | 'ratio';
  op: '>=' | '<=';
  target: number;
}

export interface Metric {
  name: string;
  unit: string;
  /** null when the figure could not be measured (see note). */
  value: number | null;
  better: Better;
  baselineName?: string;
  baseline?: number | null;
  ratio?: number | null;
  goal?: Goal;
  /** true/false against the goal; null when there is a goal but no figure. */
  pass?: boolean | null;
  note?: string;
}

export interface MetricInput {
  name: string;
  unit: string;
  value: number | null;
  better?: Better;
  baselineName?: string;
  baseline?: number | null;
  goal?: Goal;
  note?: string;
}

/** Build a metric, computing ratio and pass from its inputs. */
export function metric(input: MetricInput): Metric {
  const better = input.better ?? 'higher';
  const m: Metric = { ...input, better };
  if (input.baseline !== undefined) {
    const v = input.value; const b = input.baseline;
    m.ratio = v === null || b === null || v <= 0 || b <= 0 ? null : better === 'higher' ? v / b : b / v;
  }
  if (input.goal) {
    const subject = input.goal.on === 'ratio' ? m.ratio ?? null : input.value;
    m.pass = subject === null ? null : input.goal.op === '>=' ? subject >= input.goal.target : subject <= input.goal.target;
  }
  return m;
}

export interface BenchOutcome {
  bench: string;
  title: string;
  durationMs: number;
  metrics: Metric[];
  /** Parameters actually used (file counts, sizes, URLs). */
  params: Record<string, unknown>;
  error?: string;
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: { nproc: number; cpuModel: string; memTotalBytes: number; node: string; kernel: string; loadAvgStart?: number; loadAvgEnd?: number };
  results: BenchOutcome[];
}

export function fmtNumber(v: number | null | undefined, digits?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function fmtGoal(g: Goal | undefined): string {
  if (!g) return '';
  return g.on === 'ratio' ? `ratio ${g.op} ${g.target}` : `${g.op} ${fmtNumber(g.target)}`;
}

/** Rows for the results table (also used by docs). */
export function tableRows(results: readonly BenchOutcome[]): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    if (r.error) rows.push([r.bench, 'ERROR', '', '', '', '', '', '', r.error.split('\n')[0]!.slice(0, 120)]);
    for (const m of r.metrics) {
      rows.push([
        r.bench, m.name, fmtNumber(m.value), m.unit,
        m.baselineName ?? '', m.baseline === undefined ? '' : fmtNumber(m.baseline),
        m.ratio === undefined ? '' : m.ratio === null ? '-' : `${fmtNumber(m.ratio, 2)}x`,
        m.goal ? `${fmtGoal(m.goal)} ${m.pass === null ? 'n/a' : m.pass ? 'PASS' : 'FAIL'}` : '',
        m.note ?? '',
      ]);
    }
  }
  return rows;
}

export const TABLE_HEADER = ['bench', 'metric', 'value', 'unit', 'baseline', 'base value', 'ratio', 'goal', 'note'];

/** A plain-text table with padded columns. */
export function formatTable(results: readonly BenchOutcome[]): string {
  const rows = [TABLE_HEADER, ...tableRows(results)];
  const widths = TABLE_HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 2 || i === 5 || i === 6 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
