/**
 * The one configuration schema. Every setting has a default, so the daemon starts with no
 * config file at all. Sources, lowest to highest precedence: defaults < YAML file <
 * environment (ALCOVE_*) < command-line flags. The validated result is deep-frozen and
 * passed down; nothing reads process.env after start.
 *
 * valibot, not zod: the schema is read once at start, but an imported module stays in the
 * heap for the daemon's life, and zod 4 cost 3.2 MB of it against valibot's 0.6 MB (a tenth
 * of the idle-RSS budget on a 1 GB NAS).
 */
import * as v from 'valibot';
import { LIBRARY_TYPES } from '../domain/types.js';

/** Where state lives when nothing says otherwise. */
export const DEFAULT_STATE_DIR = './alcove-data';

/** An integer in [min, max]. */
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const positiveInt = (max?: number) => int(1, max);
const text = (min: number, max = Infinity) => v.pipe(v.string(), v.minLength(min), v.maxLength(max));
const trimmed = (min: number, max: number) => v.pipe(v.string(), v.trim(), v.minLength(min), v.maxLength(max));
const url = () => v.pipe(v.string(), v.url());
/** Unknown keys read "unknown setting" (valibot's own words are "Expected never"). */
const strictMessage = (issue: v.StrictObjectIssue): string => (issue.expected === 'never' ? 'unknown setting' : issue.message);
const strict = <E extends v.ObjectEntries>(entries: E) => v.strictObject(entries, strictMessage);
/** A section: unknown keys are errors; an absent section is `{}` with its defaults filled in. */
const section = <E extends v.ObjectEntries>(entries: E) =>
  v.optional(strict(entries), {} as v.InferInput<v.StrictObjectSchema<E, typeof strictMessage>>);

export const librarySeedSchema = v.object({
  name: trimmed(1, 100),
  path: text(1),
  type: v.optional(v.picklist(LIBRARY_TYPES), 'mixed'),
});

export const configSchema = strict({
  server: section({
    host: v.optional(text(1), '0.0.0.0'),
    port: v.optional(int(0, 65535), 8080),
    /** Friendly server name (API, mDNS). */
    name: v.optional(text(1, 63), 'Alcove'),
    maxBodyBytes: v.optional(positiveInt(), 1024 * 1024),
    /** Grace period for in-flight requests on shutdown. */
    shutdownGraceMs: v.optional(positiveInt(), 5000),
  }),
  stateDir: v.optional(text(1), DEFAULT_STATE_DIR),
  /** Regenerable data (thumbnails, transcodes); default <stateDir>/cache. */
  cacheDir: v.optional(text(1)),
  /** Local libraries to create on start if none of that name exists. */
  libraries: v.optional(v.array(librarySeedSchema), []),
  log: section({
    level: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
    /** Pretty output; default: when stdout is a TTY. */
    pretty: v.optional(v.boolean()),
  }),
  auth: section({
    sessionTtlHours: v.optional(positiveInt(), 24 * 7),
    minPasswordLength: v.optional(int(4, 72), 6),
    /** Catalogizer's /api/v1/auth/register. */
    registration: v.optional(v.picklist(['closed', 'open']), 'closed'),
    /** Failed logins allowed per user+IP in `loginWindowMinutes` before 429. */
    maxLoginFailures: v.optional(positiveInt(), 10),
    loginWindowMinutes: v.optional(positiveInt(), 15),
    /** Login attempts per minute per IP. */
    loginAttemptsPerMinute: v.optional(positiveInt(), 20),
  }),
  scan: section({
    onStartup: v.optional(v.boolean(), true),
    watch: v.optional(v.boolean(), true),
    watchDebounceMs: v.optional(int(0), 2000),
    /** Backup full rescans of local roots (0 = off). */
    localIntervalMinutes: v.optional(int(0), 360),
    /** Rescans of remote roots, which cannot be watched (0 = off). */
    remoteIntervalMinutes: v.optional(int(0), 60),
    ignore: v.optional(v.array(v.string()), []),
    /** How often offline locations' roots are pinged; one that answers is rescanned (0 = off). */
    offlineRecheckSeconds: v.optional(int(0), 60),
    /**
     * Storage operations per second that scans and probes may start on one remote root
     * (0 = unlimited; concurrency stays bounded: 8 listings, media.probeConcurrency reads).
     */
    remoteMaxRequestsPerSecond: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100_000)), 0),
  }),
  media: section({
    ffmpegPath: v.optional(v.string()),
    ffprobePath: v.optional(v.string()),
    probeConcurrency: v.optional(positiveInt(16), 2),
    thumbnailConcurrency: v.optional(positiveInt(16), 2),
  }),
  /** Catalogizer /api/v1 per-IP rate limits (seed 003); 429 with Retry-After beyond them. */
  rateLimits: section({
    /** Requests per minute per IP on /api/v1/auth/*. */
    authPerMinute: v.optional(positiveInt(100_000), 5),
    /** Requests per minute per IP on the rest of /api/v1. */
    apiPerMinute: v.optional(positiveInt(1_000_000), 100),
  }),
  /** Metadata engine: TMDb (v3) client; without a key only local sources are used. */
  metadata: section({
    tmdbUrl: v.optional(url(), 'https://api.themoviedb.org/3'),
    tmdbApiKey: v.optional(text(1)),
    language: v.optional(text(2, 10), 'en-US'),
  }),
  /** LAN discovery: `_alcove._tcp` and `_http._tcp` through Avahi (daemon/discovery). */
  mdns: section({
    enabled: v.optional(v.boolean(), true),
    /** Announced instance name; default server.name. */
    name: v.optional(trimmed(1, 63)),
  }),
  /** Catalogizer subtitles: OpenSubtitles REST client; without a key search/download answer 503. */
  subtitles: section({
    opensubtitlesUrl: v.optional(url(), 'https://api.opensubtitles.com/api/v1'),
    opensubtitlesApiKey: v.optional(text(1)),
    /** Sent as User-Agent (OpenSubtitles requires an application name). */
    userAgent: v.optional(text(1), 'Alcove v1'),
    /** Machine translation for /subtitles/translate (LibreTranslate API); absent = 501. */
    translationProvider: v.optional(strict({
      kind: v.literal('libretranslate'),
      url: url(),
      apiKey: v.optional(text(1)),
    })),
  }),
  /** Catalogizer conversion jobs (ffmpeg): how many run at once. */
  conversion: section({
    maxConcurrent: v.optional(positiveInt(16), 1),
  }),
  /** HLS transcoding (daemon/media/transcode). */
  transcode: section({
    /** Concurrent transcode sessions; one more answers 429 with Retry-After. */
    maxSessions: v.optional(positiveInt(64), 2),
    /** A session nobody fetched from for this long is stopped and its files removed. */
    idleTimeoutSec: v.optional(positiveInt(), 120),
    /** Bound on the transcode cache (all sessions' segments together). */
    cacheMaxBytes: v.optional(positiveInt(), 4 * 1024 * 1024 * 1024),
    /** Target HLS segment length (the first segments are shorter, for a fast start). */
    segmentSeconds: v.optional(positiveInt(30), 4),
    /** x264 preset for software encodes. */
    preset: v.optional(v.picklist(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']), 'veryfast'),
  }),
});

export type AlcoveConfig = v.InferOutput<typeof configSchema>;
export type LibrarySeed = v.InferOutput<typeof librarySeedSchema>;

export type ConfigValidation = { ok: true; config: AlcoveConfig } | { ok: false; errors: string[] };

/** Validate a merged tree: the config with defaults filled in, or one `key.path: message` per problem. */
export function validateConfig(tree: unknown): ConfigValidation {
  const result = v.safeParse(configSchema, tree);
  if (result.success) return { ok: true, config: result.output };
  return { ok: false, errors: result.issues.map((i) => `${v.getDotPath(i) || '(root)'}: ${i.message}`) };
}
