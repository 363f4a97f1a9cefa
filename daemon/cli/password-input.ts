/**
 * Reading a password for the CLI: the first line of stdin (--password-stdin, for scripts),
 * or an interactive prompt on the terminal with echo off.
 */
import { UsageError } from './args.js';

/** The first line of `input` (without its line ending); rejects when input is empty. */
export async function readPasswordLine(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buf);
    if (buf.includes(0x0a)) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split('\n')[0].replace(/\r$/, '');
  if (line.length === 0) throw new Error('no password on stdin');
  return line;
}

/** Prompt on the terminal without echo. Ctrl-C aborts (exit 130), Ctrl-D ends the line. */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  const out = process.stderr;
  return new Promise((resolve, reject) => {
    let value = '';
    out.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      out.write('\n');
      if (err) reject(err); else resolve(value);
    };
    const onData = (data: string): void => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') { done(new Error('cancelled')); process.exit(130); }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * The new password for `username`: from stdin when asked, else prompted twice on a
 * terminal. Without a terminal and without --password-stdin it is a usage error.
 */
export async function obtainNewPassword(username: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) return readPasswordLine();
  if (!process.stdin.isTTY) throw new UsageError('stdin is not a terminal: pass --password-stdin and pipe the password');
  const first = await promptHidden(`New password for ${username}: `);
  const second = await promptHidden('Repeat the password: ');
  if (first !== second) throw new Error('the passwords do not match');
  return first;
}
