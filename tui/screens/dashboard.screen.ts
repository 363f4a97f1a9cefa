/**
 * Dashboard: server (version, uptime, memory), index (items, libraries online/offline),
 * hardware summary, and activity: running scans with live progress bars, jobs and
 * transcodes. Everything comes from TuiState; bars are rebuilt at the current width.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import type { TuiScreen, ShellApi } from '../shell.js';
import type { TuiState } from '../state.js';
import type { AlcoveClient } from '../client.js';
import type { HardwareView } from '../api-types.js';
import { bytes, count, elapsed, esc, fit } from '../format.js';
import { progressBar } from '../widgets/progress-bar.js';

export class DashboardScreen implements TuiScreen {
  readonly title = 'Dashboard';
  readonly help = [{ keys: 'r', label: 'refresh' }];
  readonly keys = { r: () => this.refresh() };
  private server!: Widgets.BoxElement;
  private index!: Widgets.BoxElement;
  private activity!: Widgets.BoxElement;
  private hardware?: HardwareView | null;

  constructor(private readonly state: TuiState, private readonly client: AlcoveClient, private readonly shell: ShellApi) {}

  mount(body: Widgets.BoxElement): void {
    const box = (opts: Widgets.BoxOptions): Widgets.BoxElement => blessed.box({
      parent: body, border: { type: 'line' }, tags: true, style: { border: { fg: 'cyan' } }, ...opts,
    });
    this.server = box({ top: 0, left: 0, width: '50%', height: 8, label: ' Server ' });
    this.index = box({ top: 0, left: '50%', width: '50%', height: 8, label: ' Index ' });
    this.activity = box({ top: 8, left: 0, width: '100%', height: '100%-8', label: ' Activity ' });
  }

  activate(): void {
    if (this.hardware === undefined) {
      this.client.hardware().then((h) => { this.hardware = h ?? null; this.shell.requestRender(); }, () => { this.hardware = null; });
    }
  }

  private async refresh(): Promise<void> {
    await this.state.refresh();
    this.hardware = undefined;
    this.activate();
    this.shell.say('Refreshed');
  }

  update(): void {
    const { health, server, libraries } = this.state;
    const online = libraries.filter((l) => l.online).length;
    const hw = this.hardware === undefined ? 'detecting...' : this.hardware === null ? 'not available'
      : this.hardware.available.length ? this.hardware.available.join(', ') : 'software only';
    this.server.setContent([
      `Version  {bold}${esc(server?.version ?? health?.version ?? '?')}{/bold}`,
      `Uptime   ${esc(health?.uptime ?? '?')}`,
      `Memory   ${bytes(health?.memory.rss)} rss, ${bytes(health?.memory.heapUsed)} heap`,
      `Host     ${esc(server?.hostname ?? '?')} (${esc(server?.platform ?? '')}/${esc(server?.arch ?? '')})`,
      `Node     ${esc(health?.nodeVersion ?? '?')}, ${health?.numCpu ?? '?'} CPUs`,
      `HW accel ${esc(hw)}`,
    ].join('\n'));
    this.index.setContent([
      `Items     {bold}${count(health ? health.filesIndexed + health.foldersIndexed : undefined)}{/bold}`,
      `Files     ${count(health?.filesIndexed)}`,
      `Folders   ${count(health?.foldersIndexed)}`,
      `Libraries ${libraries.length}: {green-fg}${online} online{/green-fg}, ${libraries.length - online ? '{red-fg}' : ''}${libraries.length - online} offline${libraries.length - online ? '{/red-fg}' : ''}`,
      `Indexing  ${health?.indexing ? '{yellow-fg}yes{/yellow-fg}' : 'no'}`,
      `Last scan ${esc(health?.lastIndexed?.replace('T', ' ').slice(0, 19) ?? 'never')}`,
    ].join('\n'));
    this.activity.setContent(this.activityLines().join('\n'));
  }

  private activityLines(): string[] {
    const width = Math.max(20, Number(this.activity.width) - 4);
    const lines: string[] = [];
    const scans = this.state.visibleScans();
    lines.push(`{bold}Scans{/bold} (${scans.filter((s) => s.state === 'running').length} running)`);
    for (const s of scans) {
      const name = fit(this.state.libraryName(s.libraryId), 14, true);
      if (s.state === 'running') {
        const tail = ` ${s.phase} ${elapsed(Date.now() - s.startedAt)}`;
        lines.push(` ${esc(name)} ${progressBar(s.done, s.total, Math.max(10, width - 16 - tail.length))}${tail}`);
      } else {
        lines.push(` ${esc(name)} ${esc(s.state)}: +${s.added ?? 0} ~${s.changed ?? 0} -${s.removed ?? 0}`);
      }
    }
    if (scans.length === 0) lines.push(' {gray-fg}none{/gray-fg}');
    const transcodes = this.state.activeTranscodes();
    lines.push(`{bold}Transcodes{/bold} (${transcodes.length} active)`);
    for (const t of transcodes) lines.push(` ${esc(fit(t.id, 20))} ${esc(t.state)} ${esc(t.detail ?? '')}`);
    const jobs = this.state.activeJobs();
    if (jobs.length) {
      lines.push('{bold}Jobs{/bold}');
      for (const j of jobs) {
        const name = fit(j.job, 14, true);
        lines.push(j.state === 'running' ? ` ${esc(name)} ${progressBar(j.done, j.total, Math.max(10, width - 16))}` : ` ${esc(name)} ${esc(j.state)}`);
      }
    }
    return lines;
  }
}
