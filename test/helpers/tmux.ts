/**
 * Drives a terminal program inside a PRIVATE tmux server (its own socket name, -L), for
 * TUI tests: send keys, type text, capture the pane, wait for text with a timeout, resize.
 * kill() stops only that server, by its socket name. Fails with a clear message when tmux
 * is not installed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TmuxOptions {
  /** Shell command line run in the pane (quote arguments yourself). */
  command: string;
  cwd?: string;
  width?: number;
  height?: number;
  env?: Record<string, string>;
}

/** Single-quotes a word for the pane's shell. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class TmuxSession {
  readonly socket = `alcove-test-${randomBytes(5).toString('hex')}`;
  private constructor() {}

  static async start(o: TmuxOptions): Promise<TmuxSession> {
    await run('tmux', ['-V']).catch(() => {
      throw new Error('tmux is missing: apt-get install -y tmux');
    });
    const s = new TmuxSession();
    const env = Object.entries({ TERM: 'screen', LANG: 'C.UTF-8', ...o.env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await s.tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'tui', '-x', String(o.width ?? 80), '-y', String(o.height ?? 24),
      ...(o.cwd ? ['-c', o.cwd] : []), ...env, o.command);
    return s;
  }

  private async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-L', this.socket, ...args]);
    return stdout;
  }

  /** The visible pane as text (no attributes). */
  capture(): Promise<string> {
    return this.tmux('capture-pane', '-p', '-t', 'tui');
  }

  /** tmux key names: 'Enter', 'Escape', 'Down', '2', 'S'... */
  async keys(...keys: string[]): Promise<void> {
    await this.tmux('send-keys', '-t', 'tui', ...keys);
  }

  /** Literal text. */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', 'tui', '-l', text);
  }

  async resize(width: number, height: number): Promise<void> {
    await this.tmux('resize-window', '-t', 'tui', '-x', String(width), '-y', String(height));
  }

  /** Polls the pane until `match` holds; returns that capture. Throws with the last screen. */
  async waitFor(match: string | RegExp | ((screen: string) => boolean), timeoutMs = 10_000): Promise<string> {
    const test = typeof match === 'function' ? match : typeof match === 'string' ? (s: string) => s.includes(match) : (s: string) => match.test(s);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      last = await this.capture().catch(() => last);
      if (test(last)) return last;
      if (Date.now() > deadline) throw new Error(`screen did not show ${String(match)} in ${timeoutMs} ms; last screen:\n${last}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops this private tmux server (and the program in it). */
  async kill(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}
