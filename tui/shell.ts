/**
 * The frame around the screens: a title/tab line, the active screen's body, a status line
 * (connection, last message or error) and the key help bar. Owns global keys (1-5 and
 * Tab switch screens, ? help, q / Ctrl-C quit), coalesces renders (at most one per 50 ms),
 * and re-lays everything out on terminal resize. While a dialog is open (`modal`), global
 * and screen keys are ignored so typing never switches screens.
 */
import blessed from 'neo-blessed';
import type { Widgets } from 'blessed';
import type { TuiState } from './state.js';
import { HelpBar, showHelp, type HelpItem } from './widgets/help-bar.js';
import { esc } from './format.js';

/** What every screen gives the shell. */
export interface TuiScreen {
  readonly title: string;
  readonly help: HelpItem[];
  /** The screen's own keys (blessed key names, e.g. 'a', 'S-s', 'enter'). */
  readonly keys: Record<string, () => void | Promise<void>>;
  /** Builds widgets inside `body` (called once). */
  mount(body: Widgets.BoxElement): void;
  /** Redraws from the state (called on every coalesced render while visible). */
  update(): void;
  /** Shown: focus its main widget, load what it needs. */
  activate(): void;
}

/** Facilities the shell lends to screens (dialogs, messages). */
export interface ShellApi {
  readonly screen: Widgets.Screen;
  /** Runs `fn` as a modal (global keys off), always re-enabling keys after. */
  modal<T>(fn: () => Promise<T>): Promise<T>;
  /** Shows a one-line message in the status line. */
  say(text: string, isError?: boolean): void;
  requestRender(): void;
}

const GLOBAL_HELP: HelpItem[] = [{ keys: '1-5', label: 'screens' }, { keys: '?', label: 'help' }, { keys: 'q', label: 'quit' }];

export class Shell implements ShellApi {
  readonly screen: Widgets.Screen;
  private readonly tabs: Widgets.BoxElement;
  private readonly status: Widgets.BoxElement;
  private readonly help: HelpBar;
  private readonly bodies: Widgets.BoxElement[] = [];
  private active = 0;
  private modalDepth = 0;
  private renderTimer?: NodeJS.Timeout;
  private message?: { text: string; error: boolean; at: number };
  private quitResolve?: () => void;

  constructor(screen: Widgets.Screen, private readonly state: TuiState, private readonly screens: TuiScreen[]) {
    this.screen = screen;
    this.tabs = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 1, tags: true, style: { bg: 'blue', fg: 'white' } });
    this.status = blessed.box({ parent: screen, bottom: 1, left: 0, width: '100%', height: 1, tags: true });
    this.help = new HelpBar(screen);
    for (const s of screens) {
      const body = blessed.box({ parent: screen, top: 1, left: 0, width: '100%', height: '100%-3', hidden: true });
      this.bodies.push(body);
      s.mount(body);
    }
    state.on('change', () => this.requestRender());
    screen.on('resize', () => {
      // blessed re-allocates its buffers on resize; repaint every line so nothing stale stays.
      this.renderNow(true);
    });
    screen.on('keypress', (ch: string, key: Widgets.Events.IKeyEventArg) => { void this.onKey(ch, key); });
  }

  /** Shows the first screen; resolves when the user quits. */
  run(): Promise<void> {
    this.show(0);
    return new Promise((resolve) => { this.quitResolve = resolve; });
  }

  quit(): void {
    clearTimeout(this.renderTimer);
    this.quitResolve?.();
  }

  async modal<T>(fn: () => Promise<T>): Promise<T> {
    this.modalDepth++;
    try {
      return await fn();
    } finally {
      this.modalDepth--;
      if (this.modalDepth === 0) this.screens[this.active].activate();
      this.requestRender();
    }
  }

  say(text: string, isError = false): void {
    this.message = { text, error: isError, at: Date.now() };
    this.requestRender();
  }

  requestRender(): void {
    if (this.renderTimer) return;
    this.renderTimer = setTimeout(() => { this.renderTimer = undefined; this.renderNow(false); }, 50);
  }

  private show(index: number): void {
    this.bodies[this.active].hide();
    this.active = index;
    this.bodies[index].show();
    this.screens[index].activate();
    this.renderNow(false);
  }

  private renderNow(full: boolean): void {
    this.renderTabs();
    this.renderStatus();
    this.help.set([...this.screens[this.active].help, ...GLOBAL_HELP]);
    this.screens[this.active].update();
    if (full) this.screen.alloc();
    this.screen.render();
  }

  private renderTabs(): void {
    const name = this.state.server?.name ?? 'Alcove';
    const tabs = this.screens.map((s, i) => (i === this.active ? `{inverse}[${i + 1} ${esc(s.title)}]{/inverse}` : ` ${i + 1} ${esc(s.title)} `)).join('');
    const plainLength = this.screens.reduce((n, s) => n + s.title.length + 4, name.length + 3);
    // Narrow terminals lose the server name first, so every tab stays visible.
    this.tabs.setContent(plainLength <= (Number(this.screen.width) || 80) ? `{bold} ${esc(name)} {/bold}|${tabs}` : tabs);
  }

  private renderStatus(): void {
    const conn = this.state.connection;
    const dot = conn === 'open' ? '{green-fg}live{/green-fg}' : conn === 'offline' ? '{red-fg}offline{/red-fg}' : '{yellow-fg}connecting{/yellow-fg}';
    let text = '';
    if (this.message && Date.now() - this.message.at < 15_000) {
      text = this.message.error ? `{red-fg}${esc(this.message.text)}{/red-fg}` : esc(this.message.text);
    } else if (this.state.lastError) {
      text = `{red-fg}${esc(this.state.lastError)}{/red-fg}`;
    }
    this.status.setContent(` [${dot}] ${text}`);
  }

  private async onKey(ch: string, key: Widgets.Events.IKeyEventArg): Promise<void> {
    if (this.modalDepth > 0) return;
    const full = key.full;
    if (full === 'C-c' || full === 'q') { this.quit(); return; }
    if (ch === '?') {
      const s = this.screens[this.active];
      await this.modal(() => new Promise<void>((resolve) => showHelp(this.screen, `${s.title}: keys`, [...s.help, ...GLOBAL_HELP, { keys: 'Tab', label: 'next screen' }], resolve)));
      return;
    }
    if (/^[1-9]$/.test(ch ?? '') && Number(ch) <= this.screens.length) { this.show(Number(ch) - 1); return; }
    if (full === 'tab') { this.show((this.active + 1) % this.screens.length); return; }
    if (full === 'S-tab') { this.show((this.active + this.screens.length - 1) % this.screens.length); return; }
    const action = this.screens[this.active].keys[full];
    if (!action) return;
    try {
      await action();
    } catch (err) {
      this.say((err as Error).message, true);
    }
  }
}
