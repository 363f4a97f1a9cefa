/**
 * Libraries: the list (name, type, items, online, scan state) with the selected one's
 * locations and live scan progress below; add (a local path or a remote smb/ftp/webdav URL
 * with credentials), rescan (incremental or full) and remove (index entries only).
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import { LIBRARY_TYPES } from '../../daemon/domain/types.js';
import type { TuiScreen, ShellApi } from '../shell.js';
import type { TuiState } from '../state.js';
import type { AlcoveClient } from '../client.js';
import type { LibraryView, ScanStatusView } from '../api-types.js';
import { Table } from '../widgets/table.js';
import { confirm, openForm } from '../widgets/form-dialog.js';
import { progressBar } from '../widgets/progress-bar.js';
import { count, esc } from '../format.js';

function scanLabel(s: ScanStatusView | undefined): string {
  if (!s) return 'idle';
  if (s.state !== 'running') return s.state;
  return s.total ? `${s.phase} ${Math.floor((s.done / s.total) * 100)}%` : `${s.phase} ${s.done}`;
}

export class LibrariesScreen implements TuiScreen {
  readonly title = 'Libraries';
  readonly help = [
    { keys: 'a', label: 'add' }, { keys: 's', label: 'rescan' }, { keys: 'S', label: 'full rescan' },
    { keys: 'd', label: 'remove' }, { keys: 'r', label: 'refresh' },
  ];
  readonly keys = {
    a: () => this.add(),
    s: () => this.scan(false),
    'S-s': () => this.scan(true),
    d: () => this.remove(),
    r: () => this.state.refresh(),
  };
  private table!: Table<LibraryView>;
  private detail!: Widgets.BoxElement;

  constructor(private readonly state: TuiState, private readonly client: AlcoveClient, private readonly shell: ShellApi) {}

  mount(body: Widgets.BoxElement): void {
    this.table = new Table<LibraryView>({
      parent: body, top: 0, height: '50%', key: (l) => l.id, empty: 'No libraries yet: press a to add one',
      columns: [
        { title: 'Name', width: 'flex', value: (l) => l.name },
        { title: 'Type', width: 7, value: (l) => l.type },
        { title: 'Items', width: 7, align: 'right', value: (l) => count(l.topLevelCount) },
        { title: 'Status', width: 8, value: (l) => (l.online ? 'online' : 'OFFLINE') },
        { title: 'Scan', width: 14, value: (l) => scanLabel(this.state.scans.get(l.numericId) ?? l.scan ?? undefined) },
      ],
    });
    this.table.list.on('select item', () => this.shell.requestRender());
    this.detail = blessed.box({
      parent: body, top: '50%', left: 0, width: '100%', height: '50%', border: { type: 'line' }, label: ' Details ',
      tags: true, style: { border: { fg: 'cyan' } },
    });
  }

  activate(): void {
    this.table.focus();
  }

  update(): void {
    this.table.setRows(this.state.libraries);
    const lib = this.table.selected();
    if (!lib) { this.detail.setContent(''); return; }
    const width = Math.max(20, Number(this.detail.width) - 4);
    const scan = this.state.scans.get(lib.numericId) ?? lib.scan ?? undefined;
    const lines = [`{bold}${esc(lib.name)}{/bold} (${esc(lib.type)}, id ${esc(lib.id)})`];
    for (const loc of lib.locations) {
      lines.push(` ${loc.online ? '{green-fg}up{/green-fg}  ' : '{red-fg}DOWN{/red-fg}'} ${esc(loc.url ?? '?')}${loc.lastError ? ` {red-fg}${esc(loc.lastError)}{/red-fg}` : ''}`);
    }
    if (scan?.state === 'running') {
      lines.push(`Scan: ${esc(scan.phase)} ${progressBar(scan.done, scan.total, width - 12)}`);
      if (scan.currentPath) lines.push(` {gray-fg}${esc(scan.currentPath.slice(-(width - 2)))}{/gray-fg}`);
    } else if (scan) {
      lines.push(`Last scan: ${esc(scan.state)}, +${scan.added ?? 0} ~${scan.changed ?? 0} -${scan.removed ?? 0}`);
    }
    this.detail.setContent(lines.join('\n'));
  }

  private async add(): Promise<void> {
    const ok = await this.shell.modal(() => openForm(this.shell.screen, {
      title: 'Add library',
      fields: [
        { name: 'name', label: 'Name', required: true },
        { name: 'type', label: 'Type', kind: 'choice', choices: LIBRARY_TYPES, value: 'mixed' },
        { name: 'url', label: 'Location', required: true, hint: '/local/path or smb:// ftp:// webdav(s):// URL' },
        { name: 'username', label: 'Username', hint: 'remote locations only; empty for none' },
        { name: 'password', label: 'Password', kind: 'password', hint: 'remote locations only' },
      ],
      submit: async (v) => {
        await this.client.addLibrary({
          name: v.name, type: v.type,
          location: { url: v.url, ...(v.username ? { username: v.username, password: v.password } : {}) },
        });
      },
    }));
    if (ok) {
      this.shell.say('Library added; its first scan has started');
      await this.state.refresh();
    }
  }

  private async scan(full: boolean): Promise<void> {
    const lib = this.table.selected();
    if (!lib) return;
    const status = await this.client.scanLibrary(lib.id, full);
    this.shell.say(status === 'already_running' ? `A scan of ${lib.name} is already running` : `${full ? 'Full scan' : 'Scan'} of ${lib.name} started`);
    await this.state.refresh();
  }

  private async remove(): Promise<void> {
    const lib = this.table.selected();
    if (!lib) return;
    const yes = await this.shell.modal(() => confirm(this.shell.screen, 'Remove library', `Remove '${lib.name}' from the index? Files stay.`));
    if (!yes) return;
    await this.client.removeLibrary(lib.id);
    this.shell.say(`Library ${lib.name} removed`);
    await this.state.refresh();
  }
}
