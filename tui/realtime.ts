/**
 * The TUI's WebSocket client of /ws (docs/API.md, "WebSocket"): bearer auth, topic
 * subscription re-sent after every reconnect, a request/response channel, and reconnect
 * with capped exponential backoff (0.5 s doubling to 5 s) for as long as it is open.
 *
 * Emits: 'state' (RealtimeState), 'hello' (object), 'event' (topic, event object),
 * 'log' (record), 'problem' (Error; informational, reconnect continues).
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { LogRecordView } from './api-types.js';

export type RealtimeState = 'connecting' | 'open' | 'closed';

export interface RealtimeOptions {
  url: string;
  /** Read on every (re)connect, so a token refreshed after login is used. */
  token: () => string | undefined;
  topics: readonly string[];
  maxBackoffMs?: number;
}

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

export class RealtimeClient extends EventEmitter {
  private ws?: WebSocket;
  private closed = false;
  private backoff = 500;
  private retry?: NodeJS.Timeout;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  state: RealtimeState = 'closed';

  constructor(private readonly options: RealtimeOptions) {
    super();
  }

  start(): void {
    this.closed = false;
    this.connect();
  }

  /** Stops for good: no reconnect, pending requests rejected. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => undefined);
    this.ws?.terminate();
    this.ws = undefined;
    this.failPending(new Error('closed'));
    this.setState('closed');
  }

  /** A request on the socket (`ping`, `status`, `whoami`); rejects when not open or after 5 s. */
  request<T>(method: string): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error('not connected'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${method}: no answer`)); }, 5_000);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ type: 'request', id, method }));
    });
  }

  private connect(): void {
    if (this.closed) return;
    this.setState('connecting');
    const token = this.options.token();
    const ws = new WebSocket(this.options.url, { headers: token ? { authorization: `Bearer ${token}` } : {}, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      this.backoff = 500;
      this.setState('open');
      ws.send(JSON.stringify({ type: 'subscribe', topics: this.options.topics }));
    });
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('unexpected-response', (_req, res) => {
      this.emit('problem', new Error(`WebSocket refused: HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.on('error', (err) => { this.emit('problem', err); });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.failPending(new Error('connection lost'));
      if (this.closed) return;
      this.setState('connecting');
      this.retry = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 5_000);
    });
  }

  private onMessage(text: string): void {
    let msg: Record<string, unknown>;
    try { msg = JSON.parse(text) as Record<string, unknown>; } catch { return; }
    switch (msg.type) {
      case 'hello': this.emit('hello', msg); break;
      case 'event': this.emit('event', String(msg.topic), msg.event as Record<string, unknown>); break;
      case 'log': this.emit('log', msg.record as LogRecordView); break;
      case 'response': {
        const p = this.pending.get(Number(msg.id));
        if (!p) break;
        this.pending.delete(Number(msg.id));
        clearTimeout(p.timer);
        const error = msg.error as { message?: string } | undefined;
        if (error) p.reject(new Error(error.message ?? 'request failed'));
        else p.resolve(msg.result);
        break;
      }
      default: break;
    }
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(err); }
    this.pending.clear();
  }

  private setState(state: RealtimeState): void {
    if (state === this.state) return;
    this.state = state;
    this.emit('state', state);
  }
}
