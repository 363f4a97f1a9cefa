/**
 * The WebSocket endpoint /ws on the HTTP port: same credentials as REST (cookie, Bearer,
 * ?token=), uWS pub/sub for topics, a small request/response channel, pings for liveness
 * and an idle timeout, and a bounded send buffer: a client that falls more than
 * `maxBackpressureBytes` behind is disconnected instead of being buffered without bound.
 * The protocol itself lives in services/realtime (transport-free).
 */
import uWS, { type TemplatedApp, type WebSocket } from 'uWebSockets.js';
import type { AuthInfo } from '../domain/auth.js';
import type { EventBus } from '../domain/ports.js';
import type { Logger } from '../log/logger.js';
import type { LogTap } from '../log/log-tap.js';
import { extractTokens, type AuthRequest } from './auth.js';
import {
  ProtocolError, grantTopics, parseClientMessage, topicFor, type RealtimeService, type Topic,
} from '../services/realtime/realtime.service.js';

interface SocketData {
  auth: AuthInfo;
  topics: Set<Topic>;
}

export interface WebSocketOptions {
  app: unknown;
  authenticate: (req: AuthRequest) => Promise<AuthInfo | undefined>;
  realtime: RealtimeService;
  events: EventBus;
  logs?: LogTap;
  logger: Logger;
  hello: () => Record<string, unknown>;
  /** Seconds without traffic before the socket is closed (pings keep healthy ones alive). */
  idleTimeoutSec?: number;
  maxBackpressureBytes?: number;
  maxPayloadBytes?: number;
}

export interface WebSocketHub {
  readonly clients: number;
  /** Close every socket (shutdown) and stop forwarding events. */
  close(): void;
}

export function attachWebSocket(options: WebSocketOptions): WebSocketHub {
  const app = options.app as TemplatedApp;
  const log = options.logger.child({ component: 'ws' });
  const sockets = new Set<WebSocket<SocketData>>();
  let dropped = 0;

  app.ws<SocketData>('/ws', {
    compression: uWS.DISABLED,
    maxPayloadLength: options.maxPayloadBytes ?? 64 * 1024,
    idleTimeout: options.idleTimeoutSec ?? 60,
    sendPingsAutomatically: true,
    maxBackpressure: options.maxBackpressureBytes ?? 1024 * 1024,
    // Typed as a number in 20.30's d.ts; the native side reads it as a boolean.
    closeOnBackpressureLimit: 1,

    upgrade: (res, req, context) => {
      let aborted = false;
      res.onAborted(() => { aborted = true; });
      const headers: Record<string, string> = {};
      req.forEach((k, v) => { headers[k] = v; });
      const query = new URLSearchParams(req.getQuery() ?? '');
      const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
      const key = headers['sec-websocket-key'] ?? '';
      const protocol = headers['sec-websocket-protocol'] ?? '';
      const extensions = headers['sec-websocket-extensions'] ?? '';
      const deny = (status: string, code: string, error: string): void => {
        if (aborted) return;
        res.cork(() => {
          res.writeStatus(status).writeHeader('Content-Type', 'application/json; charset=utf-8')
            .end(JSON.stringify({ success: false, error, code }));
        });
      };
      options.authenticate(extractTokens(headers, query, () => ip)).then((auth) => {
        if (aborted) return;
        if (!auth) return deny('401 Unauthorized', 'UNAUTHORIZED', 'Authentication required');
        res.cork(() => res.upgrade<SocketData>({ auth, topics: new Set() }, key, protocol, extensions, context));
      }, () => deny('401 Unauthorized', 'UNAUTHORIZED', 'Authentication required'));
    },

    open: (ws) => {
      sockets.add(ws);
      const { auth } = ws.getUserData();
      ws.send(JSON.stringify({ type: 'hello', ...options.hello(), user: auth.user.username, isAdmin: auth.isAdmin }));
    },

    message: (ws, message, isBinary) => {
      const data = ws.getUserData();
      const reply = (body: unknown): void => { ws.send(JSON.stringify(body)); };
      if (isBinary) return reply({ type: 'error', code: 'BINARY_UNSUPPORTED', message: 'Send JSON text frames' });
      let msg;
      try {
        msg = parseClientMessage(Buffer.from(message).toString('utf8'));
      } catch (err) {
        const e = err as ProtocolError;
        return reply({ type: 'error', code: e.code ?? 'BAD_MESSAGE', message: e.message });
      }
      if (msg.type === 'subscribe') {
        const { granted, refused } = grantTopics(data.auth, msg.topics);
        for (const topic of granted) {
          if (data.topics.has(topic)) continue;
          data.topics.add(topic);
          ws.subscribe(topic);
          if (topic === 'logs') logTopic(1);
        }
        return reply({ type: 'subscribed', topics: [...data.topics], refused });
      }
      if (msg.type === 'unsubscribe') {
        const list = Array.isArray(msg.topics) ? msg.topics.map(String) : [];
        for (const topic of list) {
          if (!data.topics.delete(topic as Topic)) continue;
          ws.unsubscribe(topic);
          if (topic === 'logs') logTopic(-1);
        }
        return reply({ type: 'unsubscribed', topics: [...data.topics] });
      }
      if (msg.type === 'request') {
        const answer = options.realtime.handle(data.auth, msg.method);
        reply({ type: 'response', id: msg.id, ...answer });
      }
    },

    close: (ws, code) => {
      sockets.delete(ws);
      if (ws.getUserData().topics.has('logs')) logTopic(-1);
      if (code === 1006) dropped++;
    },
  });

  const publish = (topic: Topic, body: unknown): void => {
    if (sockets.size === 0) return;
    app.publish(topic, JSON.stringify(body), false, false);
  };
  const offEvents = options.events.on((event) => {
    const topic = topicFor(event);
    if (topic) publish(topic, { type: 'event', topic, event });
  });
  // The log tap is followed only while some socket wants the 'logs' topic, so the daemon
  // does not parse every log line for nobody.
  let logWatchers = 0;
  let offLogs: (() => void) | undefined;
  const logTopic = (delta: 1 | -1): void => {
    logWatchers += delta;
    if (logWatchers > 0 && !offLogs && options.logs) {
      offLogs = options.logs.subscribe((record) => {
        // Never echo our own debug lines about sockets, which would feed back into the topic.
        if (record.component === 'ws') return;
        publish('logs', { type: 'log', record });
      });
    } else if (logWatchers === 0 && offLogs) {
      offLogs();
      offLogs = undefined;
    }
  };

  log.debug('websocket endpoint ready at /ws');
  return {
    get clients() { return sockets.size; },
    close() {
      offEvents();
      offLogs?.();
      for (const ws of [...sockets]) {
        try { ws.end(1001, 'server shutting down'); } catch { /* already closed */ }
      }
      sockets.clear();
      if (dropped) log.info({ dropped }, 'websocket clients dropped during run');
    },
  };
}
