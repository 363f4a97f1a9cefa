/**
 * What the WebSocket carries, without any transport code: which topic each server event
 * goes to, who may subscribe to which topic, and the small request/response channel.
 *
 * Topics: scans, items, libraries, jobs, transcodes, users (admin), logs (admin).
 * Wire format (JSON text frames), documented in docs/API.md:
 *   server -> client  {"type":"hello", serverId, version, topics}
 *                     {"type":"event", "topic", "event": ServerEvent}
 *                     {"type":"log", "record": LogRecord}
 *                     {"type":"response", "id", "result"} | {"type":"response","id","error":{code,message}}
 *                     {"type":"subscribed"|"unsubscribed", "topics"}
 *   client -> server  {"type":"subscribe"|"unsubscribe", "topics":[...]}
 *                     {"type":"request", "id", "method":"ping"|"status", "params"?}
 */
import type { AuthInfo } from '../../domain/auth.js';
import type { ServerEvent } from '../../domain/ports.js';

export const TOPICS = ['scans', 'items', 'libraries', 'jobs', 'transcodes', 'users', 'logs'] as const;
export type Topic = (typeof TOPICS)[number];

const ADMIN_TOPICS: ReadonlySet<Topic> = new Set(['users', 'logs']);

export function topicFor(event: ServerEvent | { type: string }): Topic | undefined {
  const prefix = event.type.split('.')[0];
  switch (prefix) {
    case 'scan': return 'scans';
    case 'items': return 'items';
    case 'library': return 'libraries';
    case 'job': return 'jobs';
    case 'transcode': return 'transcodes';
    case 'users': return 'users';
    default: return undefined;
  }
}

export function mayReceive(auth: AuthInfo, topic: Topic): boolean {
  return auth.isAdmin || !ADMIN_TOPICS.has(topic);
}

/** Parses a client's topic list, keeping the ones this client may have. */
export function grantTopics(auth: AuthInfo, requested: unknown): { granted: Topic[]; refused: string[] } {
  const list = Array.isArray(requested) ? requested : [];
  const granted: Topic[] = [];
  const refused: string[] = [];
  for (const raw of list) {
    const topic = String(raw) as Topic;
    if ((TOPICS as readonly string[]).includes(topic) && mayReceive(auth, topic)) granted.push(topic);
    else refused.push(String(raw));
  }
  return { granted, refused };
}

export interface StatusSource {
  (): Record<string, unknown>;
}

export type ClientMessage =
  | { type: 'subscribe' | 'unsubscribe'; topics: unknown }
  | { type: 'request'; id: string | number; method: string; params?: unknown };

export class ProtocolError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/** Validates one client frame. Throws ProtocolError on anything malformed. */
export function parseClientMessage(text: string): ClientMessage {
  let value: unknown;
  try { value = JSON.parse(text); } catch { throw new ProtocolError('BAD_JSON', 'Message is not valid JSON'); }
  if (!value || typeof value !== 'object') throw new ProtocolError('BAD_MESSAGE', 'Message must be an object');
  const msg = value as Record<string, unknown>;
  if (msg.type === 'subscribe' || msg.type === 'unsubscribe') return { type: msg.type, topics: msg.topics };
  if (msg.type === 'request') {
    if ((typeof msg.id !== 'string' && typeof msg.id !== 'number') || typeof msg.method !== 'string') {
      throw new ProtocolError('BAD_REQUEST', 'A request needs an id and a method');
    }
    return { type: 'request', id: msg.id, method: msg.method, params: msg.params };
  }
  throw new ProtocolError('UNKNOWN_TYPE', `Unknown message type ${JSON.stringify(msg.type)}`);
}

export class RealtimeService {
  constructor(private readonly status: StatusSource) {}

  /** Answers one request; unknown methods get a METHOD_NOT_FOUND error. */
  handle(auth: AuthInfo, method: string): { result?: unknown; error?: { code: string; message: string } } {
    switch (method) {
      case 'ping': return { result: { pong: Date.now() } };
      case 'status': return { result: this.status() };
      case 'whoami': return { result: auth.user };
      default: return { error: { code: 'METHOD_NOT_FOUND', message: `Unknown method ${method}` } };
    }
  }
}
