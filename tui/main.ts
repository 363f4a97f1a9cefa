/**
 * `alcove tui`: finds the daemon (the local one of --state-dir through daemon.json and
 * admin.token, or --url), authenticates (local token, else first-run setup or login),
 * then runs the screens until q. A client of the HTTP API and /ws only.
 *
 * Returns the exit status: 0 after quitting, 1 when the daemon cannot be found or reached.
 */
import blessed from 'neo-blessed';
import { AlcoveClient } from './client.js';
import { ConnectError, readLocalToken, resolveTarget } from './connect.js';
import { RealtimeClient } from './realtime.js';
import { TuiState } from './state.js';
import { Shell, type TuiScreen } from './shell.js';
import { authenticate } from './screens/setup.screen.js';
import { DashboardScreen } from './screens/dashboard.screen.js';
import { LibrariesScreen } from './screens/libraries.screen.js';
import { UsersScreen } from './screens/users.screen.js';
import { HardwareScreen } from './screens/hardware.screen.js';
import { LogsScreen } from './screens/logs.screen.js';

export interface TuiOptions {
  stateDir: string;
  url?: string;
  /** Where messages go before and after the full-screen UI (default stderr). */
  err?: (line: string) => void;
}

const TOPICS = ['scans', 'libraries', 'jobs', 'transcodes', 'logs'] as const;

export async function runTui(options: TuiOptions): Promise<number> {
  const err = options.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let target;
  try {
    target = await resolveTarget(options);
  } catch (e) {
    if (e instanceof ConnectError) { err(`alcove: ${e.message}`); return 1; }
    throw e;
  }
  const client = new AlcoveClient(target.baseUrl, target.token);
  try {
    const check = await client.check();
    // The daemon writes admin.token just after the first admin is created: wait for it
    // briefly rather than prompting for a password the local admin should not need.
    for (let i = 0; i < 20 && target.stateDir && !client.token && !check.setupRequired; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const local = await readLocalToken(target.stateDir);
      client.setToken(local.token);
      target.tokenNote = local.tokenNote;
    }
  } catch (e) {
    err(`alcove: ${(e as Error).message}`);
    return 1;
  }

  // Under a UTF-8 locale draw borders with Unicode box characters instead of the DEC
  // alternate character set: several terminfo entries (tmux-256color among them) make
  // blessed's ACS come out as letters (lqqk). ncurses honours the same variable.
  if (process.env.NCURSES_NO_UTF8_ACS === undefined && /utf-?8/i.test(process.env.LC_ALL || process.env.LC_CTYPE || process.env.LANG || '')) {
    process.env.NCURSES_NO_UTF8_ACS = '1';
  }
  const screen = blessed.screen({ smartCSR: true, title: 'Alcove', autoPadding: true, fullUnicode: false, warnings: false });
  let realtime: RealtimeClient | undefined;
  let state: TuiState | undefined;
  try {
    const user = await authenticate(screen, client, target.tokenNote);
    if (!user) return 0;
    realtime = new RealtimeClient({ url: client.wsUrl, token: () => client.token, topics: TOPICS });
    state = new TuiState(client, realtime);
    let shell: Shell | undefined;
    const api = {
      screen,
      modal: <T>(fn: () => Promise<T>) => shell!.modal(fn),
      say: (text: string, isError?: boolean) => shell?.say(text, isError),
      requestRender: () => shell?.requestRender(),
    };
    const screens: TuiScreen[] = [
      new DashboardScreen(state, client, api),
      new LibrariesScreen(state, client, api),
      new UsersScreen(client, api),
      new HardwareScreen(client, api),
      new LogsScreen(state, api),
    ];
    shell = new Shell(screen, state, screens);
    realtime.start();
    state.start();
    shell.say(`Connected to ${client.baseUrl} as ${user.username}`);
    await shell.run();
    return 0;
  } finally {
    state?.stop();
    realtime?.close();
    screen.destroy();
    // blessed leaves stdin flowing; let the process end once the UI is gone.
    process.stdin.pause();
    process.stdin.unref?.();
  }
}
