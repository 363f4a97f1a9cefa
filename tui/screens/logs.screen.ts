/**
 * Live logs: the daemon's structured log lines from the WebSocket 'logs' topic (admin),
 * newest at the bottom, filtered by a minimum level (l cycles debug > info > warn > error).
 * The view shows the newest lines that fit, cut to the width; p pauses it, c clears.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import type { TuiScreen, ShellApi } from '../shell.js';
import type { TuiState } from '../state.js';
import type { LogRecordView } from '../api-types.js';
import { esc, fit } from '../format.js';

const LEVELS: Array<{ name: string; value: number; color: string }> = [
  { name: 'debug', value: 20, color: 'gray' },
  { name: 'info', value: 30, color: 'green' },
  { name: 'warn', value: 40, color: 'yellow' },
  { name: 'error', value: 50, color: 'red' },
];

function levelOf(n: number): { name: string; color: string } {
  if (n >= 60) return { name: 'fatal', color: 'red' };
  return [...LEVELS].reverse().find((l) => n >= l.value) ?? { name: 'trace', color: 'gray' };
}

const SKIP = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'v']);

/** "12:03:04 INFO  http request done method=GET ..." (plain text, before tagging). */
export function formatLogLine(r: LogRecordView): { time: string; level: string; color: string; text: string } {
  const t = typeof r.time === 'number' ? new Date(r.time) : new Date(String(r.time));
  const time = Number.isNaN(t.getTime()) ? '--:--:--' : t.toTimeString().slice(0, 8);
  const lvl = levelOf(r.level);
  if (r.msg === 'http request' && typeof r.path === 'string') {
    // The most frequent line, made readable at 80 columns: "GET /api/x 404 1.2ms".
    const text = `[http] ${String(r.method ?? '')} ${r.path} ${String(r.status ?? '')} ${String(r.ms ?? '')}ms`;
    return { time, level: lvl.name.toUpperCase().padEnd(5), color: lvl.color, text };
  }
  const fields = Object.entries(r).filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  return { time, level: lvl.name.toUpperCase().padEnd(5), color: lvl.color, text: `${r.component ? `[${r.component}] ` : ''}${r.msg}${fields ? ` ${fields}` : ''}` };
}

export class LogsScreen implements TuiScreen {
  readonly title = 'Logs';
  readonly help = [{ keys: 'l', label: 'level filter' }, { keys: 'p', label: 'pause' }, { keys: 'c', label: 'clear' }];
  readonly keys = {
    l: () => { this.level = (this.level + 1) % LEVELS.length; this.shell.say(`Showing ${LEVELS[this.level].name} and above`); },
    p: () => { this.paused = this.paused !== undefined ? undefined : this.lineCount(); this.shell.requestRender(); },
    c: () => { this.clearedAt = this.lineCount(); this.shell.requestRender(); },
  };
  private box!: Widgets.BoxElement;
  private level = 1;
  /** Absolute line numbers (TuiState.logBase + index), stable while the ring drops lines. */
  private paused?: number;
  private clearedAt = 0;
  private visible = false;

  constructor(private readonly state: TuiState, private readonly shell: ShellApi) {
    // A line arriving while this screen shows is drawn with the next coalesced render.
    state.on('log', () => { if (this.visible) shell.requestRender(); });
  }

  mount(body: Widgets.BoxElement): void {
    this.box = blessed.box({
      parent: body, top: 0, left: 0, width: '100%', height: '100%', border: { type: 'line' }, tags: true,
      style: { border: { fg: 'cyan' } },
    });
    body.on('hide', () => { this.visible = false; });
    body.on('show', () => { this.visible = true; });
  }

  private lineCount(): number { return this.state.logBase + this.state.logs.length; }

  activate(): void {
    this.visible = true;
    this.box.focus();
  }

  update(): void {
    const min = LEVELS[this.level];
    const logs = this.state.logs;
    const base = this.state.logBase;
    const end = this.paused !== undefined ? Math.max(0, this.paused - base) : logs.length;
    const start = Math.min(Math.max(0, this.clearedAt - base), end);
    const height = Math.max(1, Number(this.box.height) - 2);
    const width = Math.max(10, Number(this.box.width) - 2);
    const shown: string[] = [];
    for (let i = end - 1; i >= start && shown.length < height; i--) {
      const r = logs[i];
      if (r.level < min.value) continue;
      const f = formatLogLine(r);
      shown.push(`${f.time} {${f.color}-fg}${f.level}{/${f.color}-fg} ${esc(fit(f.text, width - 15))}`);
    }
    this.box.setLabel(` Live log: ${min.name} and above${this.paused !== undefined ? ' (PAUSED)' : ''} - ${this.state.connection === 'open' ? 'live' : this.state.connection} `);
    this.box.setContent(shown.reverse().join('\n') || '{gray-fg}waiting for log lines...{/gray-fg}');
  }
}
