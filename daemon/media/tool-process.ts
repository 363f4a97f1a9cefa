/**
 * Runs ffmpeg/ffprobe as a child process with a deadline and an abort signal.
 *
 * Contract: the returned promise settles only after the child has exited and been reaped
 * ('close'), so no zombie is ever left behind; on timeout or abort the child gets SIGKILL
 * (these tools hold no state worth a graceful stop). An optional input stream is piped
 * into stdin and destroyed when the child exits: ffprobe stops reading long before the end
 * of a remote file, and the remote read must stop with it.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface ToolRunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Piped into stdin (`-i pipe:0`). Destroyed when the child exits. */
  stdin?: NodeJS.ReadableStream;
  /** Cap on collected stdout; the child is killed past it. Default 32 MiB. */
  maxStdout?: number;
}

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  /** Last 4 KiB of stderr. */
  stderr: string;
}

export class ToolTimeoutError extends Error {
  constructor(readonly tool: string, readonly timeoutMs: number) {
    super(`${tool} timed out after ${timeoutMs} ms`);
    this.name = 'ToolTimeoutError';
  }
}

const STDERR_KEEP = 4096;

/** Run `path args`; resolves with the result whatever the exit code (callers judge). */
export function runTool(path: string, args: string[], opts: ToolRunOptions): Promise<ToolResult> {
  const tool = path.split('/').pop() ?? path;
  return new Promise<ToolResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(abortError(opts.signal));
      return;
    }
    const child = spawn(path, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    let failure: Error | undefined;
    const maxStdout = opts.maxStdout ?? 32 << 20;

    const kill = (reason: Error): void => {
      failure ??= reason;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(new ToolTimeoutError(tool, opts.timeoutMs)), opts.timeoutMs);
    const onAbort = (): void => kill(abortError(opts.signal as AbortSignal));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      outLen += chunk.length;
      if (outLen > maxStdout) kill(new Error(`${tool} output exceeded ${maxStdout} bytes`));
      else out.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      if (err.length > STDERR_KEEP * 2) err = err.slice(-STDERR_KEEP);
    });

    const input = opts.stdin as (Readable & NodeJS.ReadableStream) | undefined;
    if (input && child.stdin) {
      // The child closing stdin early (it has read enough) is normal: EPIPE is not an error.
      child.stdin.on('error', () => undefined);
      input.on('error', (e: Error) => {
        // Keep the storage error as is: callers read its code (e.g. retry when unreachable).
        failure ??= e;
        child.stdin?.destroy();
      });
      input.pipe(child.stdin);
    }

    child.on('error', (e) => {
      failure ??= new Error(`${tool} failed to start: ${e.message}`);
    });
    child.on('exit', () => {
      // Stop reading the source as soon as the child no longer wants it.
      if (input && typeof input.destroy === 'function') {
        input.unpipe?.();
        input.destroy();
      }
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (input && typeof input.destroy === 'function') input.destroy();
      if (failure) reject(failure);
      else resolve({ code, signal: sig, stdout: Buffer.concat(out), stderr: err.slice(-STDERR_KEEP) });
    });
  });
}

function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** The last meaningful stderr line, for short error messages. */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}
