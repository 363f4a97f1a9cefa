/**
 * Runs one ffmpeg conversion: reads `-progress pipe:1` blocks from stdout and reports
 * percent = out_time / duration (clamped to 0..99 until ffmpeg exits cleanly). Abort sends
 * SIGKILL; the promise settles only once the child is reaped, so the caller may delete the
 * partial output right after.
 */
import { spawn } from 'node:child_process';

export class FfmpegFailed extends Error {
  constructor(message: string) { super(message); this.name = 'FfmpegFailed'; }
}

/** Parse a chunk of progress key=value lines; returns the last out_time in ms seen. */
export function parseProgressTime(text: string): number | undefined {
  let last: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^out_time_(?:us|ms)=(\d+)/.exec(line.trim());
    if (m) last = Number(m[1]) / 1000; // both keys are microseconds (ffmpeg's historic naming)
  }
  return last;
}

export function runConversion(ffmpegPath: string, args: string[], opts: { durationMs?: number; signal: AbortSignal; onPercent: (p: number) => void }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (opts.signal.aborted) { reject(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted')); return; }
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let carry = '';
    let lastPercent = -1;
    const kill = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
    opts.signal.addEventListener('abort', kill, { once: true });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const text = carry + chunk;
      const cut = text.lastIndexOf('\n');
      carry = cut < 0 ? text : text.slice(cut + 1);
      const ms = cut < 0 ? undefined : parseProgressTime(text.slice(0, cut));
      if (ms !== undefined && opts.durationMs) {
        const p = Math.max(0, Math.min(99, Math.floor((ms / opts.durationMs) * 100)));
        if (p !== lastPercent) { lastPercent = p; opts.onPercent(p); }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => { stderr = (stderr + d).slice(-4000); });
    let spawnError: Error | undefined;
    child.once('error', (err) => { spawnError = err; });
    child.once('close', (code, sig) => {
      opts.signal.removeEventListener('abort', kill);
      if (opts.signal.aborted) { reject(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted')); return; }
      if (spawnError) { reject(new FfmpegFailed(spawnError.message)); return; }
      if (code !== 0) { reject(new FfmpegFailed(stderr.trim().split('\n').pop() || `ffmpeg exited with ${code ?? sig}`)); return; }
      resolve();
    });
  });
}
