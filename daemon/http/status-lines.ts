/**
 * HTTP status lines ("404 Not Found") for uWS's writeStatus, built once.
 *
 * The reason phrases are node:http's STATUS_CODES (test/unit/http-status-lines.test.ts
 * checks they are equal), held here so the daemon does not load node:http, its agent,
 * client and server at start only for this table (0.6 MB of RSS), and so answering does
 * not build the line anew per response.
 */
const REASONS = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked',
  424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 509: 'Bandwidth Limit Exceeded', 510: 'Not Extended',
  511: 'Network Authentication Required',
} as const satisfies Record<number, string>;

/** status code -> reason phrase, for callers that need the phrase alone. */
export const REASON_PHRASES: ReadonlyMap<number, string> = new Map(Object.entries(REASONS).map(([k, v]) => [Number(k), v]));

const LINES = new Map<number, string>([...REASON_PHRASES].map(([code, reason]) => [code, `${code} ${reason}`]));

/** "200 OK"; a code without a registered phrase gets "Unknown" (as node:http writes it). */
export function statusLine(status: number): string {
  return LINES.get(status) ?? `${status} Unknown`;
}
