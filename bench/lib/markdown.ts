/**
 * Markdown rendering of a results report, for docs/PERFORMANCE.md:
 * `node dist/bench/run.js --markdown bench/results/latest.json`.
 */
import { TABLE_HEADER, tableRows, type RunReport } from './result.js';

const esc = (s: string): string => s.replaceAll('|', '\\|');

export function reportMarkdown(report: RunReport): string {
  const m = report.machine;
  const head = `Measured ${report.finishedAt.slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (--quick)' : ''} on ` +
    `${m.nproc} x ${m.cpuModel}, ${(m.memTotalBytes / 2 ** 30).toFixed(0)} GiB RAM, Node ${m.node}, Linux ${m.kernel}` +
    (m.loadAvgStart !== undefined ? `; 1-min load average ${m.loadAvgStart.toFixed(1)} at start, ${m.loadAvgEnd?.toFixed(1)} at end.` : '.');
  const rows = tableRows(report.results);
  const table = [
    `| ${TABLE_HEADER.join(' | ')} |`,
    `|${TABLE_HEADER.map((_, i) => (i === 2 || i === 5 || i === 6 ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
  return `${head}\n\n${table}\n`;
}
