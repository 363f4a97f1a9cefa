/**
 * Hardware: what GET /api/hardware reports (ffmpeg, hwaccels, devices, validated encoders,
 * problems with their fixes, the method in use). 'not available' when the daemon has no
 * such route. r re-runs detection.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import type { TuiScreen, ShellApi } from '../shell.js';
import type { AlcoveClient } from '../client.js';
import type { HardwareView } from '../api-types.js';
import { esc } from '../format.js';

export class HardwareScreen implements TuiScreen {
  readonly title = 'Hardware';
  readonly help = [{ keys: 'r', label: 're-detect' }, { keys: 'Up/Down', label: 'scroll' }];
  readonly keys = { r: () => this.load(true) };
  private box!: Widgets.BoxElement;
  private view?: HardwareView | null;
  private error?: string;
  private loading = false;

  constructor(private readonly client: AlcoveClient, private readonly shell: ShellApi) {}

  mount(body: Widgets.BoxElement): void {
    this.box = blessed.box({
      parent: body, top: 0, left: 0, width: '100%', height: '100%', border: { type: 'line' }, label: ' Hardware acceleration ',
      tags: true, scrollable: true, alwaysScroll: true, keys: true, vi: true, style: { border: { fg: 'cyan' } },
    });
  }

  activate(): void {
    this.box.focus();
    if (this.view === undefined && !this.loading) void this.load(false);
  }

  private async load(refresh: boolean): Promise<void> {
    this.loading = true;
    this.shell.requestRender();
    try {
      this.view = (await this.client.hardware(refresh)) ?? null;
      this.error = undefined;
      if (refresh) this.shell.say('Hardware detected again');
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      this.loading = false;
      this.shell.requestRender();
    }
  }

  update(): void {
    this.box.setContent(this.lines().join('\n'));
  }

  private lines(): string[] {
    if (this.loading && !this.view) return ['Detecting hardware (trial encodes take a few seconds)...'];
    if (this.error) return [`{red-fg}${esc(this.error)}{/red-fg}`];
    if (this.view === null) return ['Hardware information is not available on this daemon (no /api/hardware).'];
    const v = this.view;
    if (!v) return [''];
    const out = [
      `ffmpeg     ${esc(v.ffmpeg.version)} ({gray-fg}${esc(v.ffmpeg.path)}{/gray-fg})`,
      `In use     {bold}${esc(v.chosen ?? '?')}{/bold}  (preference: ${esc(v.settings?.preference ?? 'auto')})`,
      `Available  ${v.available.length ? esc(v.available.join(', ')) : 'software only'}`,
      `hwaccels   ${esc(v.hwaccels.join(', ') || 'none')}`,
      `Detected   ${new Date(v.detectedAt).toISOString().replace('T', ' ').slice(0, 19)}`,
      '{bold}Devices{/bold}',
      ...(v.devices.length ? v.devices.map((d) => ` ${esc(d.path)} ${esc(d.kind)}${d.vendor ? ` ${esc(d.vendor)}` : ''} ${d.accessible ? '{green-fg}accessible{/green-fg}' : '{red-fg}no access{/red-fg}'}${d.driver ? ` ${esc(d.driver)}` : ''}`) : [' none']),
      '{bold}Encoders{/bold}',
      ...(v.encoders.length ? v.encoders.map((e) => ` ${esc(e.name.padEnd(18))} ${esc(e.method.padEnd(8))} ${e.validated ? '{green-fg}works{/green-fg}' : e.listed ? '{yellow-fg}listed, trial failed{/yellow-fg}' : 'not built in'}`) : [' none']),
    ];
    if (v.problems.length) {
      out.push('{bold}Problems{/bold}');
      for (const p of v.problems) {
        out.push(` {red-fg}${esc(p.code)}{/red-fg} ${esc(p.message)}`);
        if (p.fix) out.push(`   fix: ${esc(p.fix)}`);
      }
    }
    return out;
  }
}
