/**
 * The one configuration schema. Every setting has a default, so the daemon starts with no
 * config file at all. Sources, lowest to highest precedence: defaults < YAML file <
 * environment (ALCOVE_*) < command-line flags. The validated result is deep-frozen and
 * passed down; nothing reads process.env after start.
 */
import { z } from 'zod';
import { LIBRARY_TYPES } from '../domain/types.js';

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

export const librarySeedSchema = z.object({
  name: z.string().trim().min(1).max(100),
  path: z.string().min(1),
  type: z.enum(LIBRARY_TYPES as unknown as [string, ...string[]]).default('mixed'),
});

export const configSchema = z.object({
  server: z.object({
    host: z.string().min(1).default('0.0.0.0'),
    port: port.default(8080),
    /** Friendly server name (API, mDNS). */
    name: z.string().min(1).max(63).default('Alcove'),
    maxBodyBytes: positiveInt.default(1024 * 1024),
    /** Grace period for in-flight requests on shutdown. */
    shutdownGraceMs: positiveInt.default(5000),
  }).strict().prefault({}),
  stateDir: z.string().min(1).default('./alcove-data'),
  /** Regenerable data (thumbnails, transcodes); default <stateDir>/cache. */
  cacheDir: z.string().min(1).optional(),
  /** Local libraries to create on start if none of that name exists. */
  libraries: z.array(librarySeedSchema).default([]),
  log: z.object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Pretty output; default: when stdout is a TTY. */
    pretty: z.boolean().optional(),
  }).strict().prefault({}),
  auth: z.object({
    sessionTtlHours: positiveInt.default(24 * 7),
    minPasswordLength: z.number().int().min(4).max(72).default(6),
    /** Catalogizer's /api/v1/auth/register. */
    registration: z.enum(['closed', 'open']).default('closed'),
    /** Failed logins allowed per user+IP in `loginWindowMinutes` before 429. */
    maxLoginFailures: positiveInt.default(10),
    loginWindowMinutes: positiveInt.default(15),
    /** Login attempts per minute per IP. */
    loginAttemptsPerMinute: positiveInt.default(20),
  }).strict().prefault({}),
  scan: z.object({
    onStartup: z.boolean().default(true),
    watch: z.boolean().default(true),
    watchDebounceMs: z.number().int().min(0).default(2000),
    /** Backup full rescans of local roots (0 = off). */
    localIntervalMinutes: z.number().int().min(0).default(360),
    /** Rescans of remote roots, which cannot be watched (0 = off). */
    remoteIntervalMinutes: z.number().int().min(0).default(60),
    ignore: z.array(z.string()).default([]),
    /** How often offline locations' roots are pinged; one that answers is rescanned (0 = off). */
    offlineRecheckSeconds: z.number().int().min(0).default(60),
    /**
     * Storage operations per second that scans and probes may start on one remote root
     * (0 = unlimited; concurrency stays bounded: 8 listings, media.probeConcurrency reads).
     */
    remoteMaxRequestsPerSecond: z.number().min(0).max(100_000).default(0),
  }).strict().prefault({}),
  media: z.object({
    ffmpegPath: z.string().optional(),
    ffprobePath: z.string().optional(),
    probeConcurrency: positiveInt.max(16).default(2),
    thumbnailConcurrency: positiveInt.max(16).default(2),
  }).strict().prefault({}),
  /** Catalogizer /api/v1 per-IP rate limits (seed 003); 429 with Retry-After beyond them. */
  rateLimits: z.object({
    /** Requests per minute per IP on /api/v1/auth/*. */
    authPerMinute: positiveInt.max(100_000).default(5),
    /** Requests per minute per IP on the rest of /api/v1. */
    apiPerMinute: positiveInt.max(1_000_000).default(100),
  }).strict().prefault({}),
  /** Metadata engine: TMDb (v3) client; without a key only local sources are used. */
  metadata: z.object({
    tmdbUrl: z.string().url().default('https://api.themoviedb.org/3'),
    tmdbApiKey: z.string().min(1).optional(),
    language: z.string().min(2).max(10).default('en-US'),
  }).strict().prefault({}),
  /** LAN discovery: `_alcove._tcp` and `_http._tcp` through Avahi (daemon/discovery). */
  mdns: z.object({
    enabled: z.boolean().default(true),
    /** Announced instance name; default server.name. */
    name: z.string().trim().min(1).max(63).optional(),
  }).strict().prefault({}),
  /** Catalogizer subtitles: OpenSubtitles REST client; without a key search/download answer 503. */
  subtitles: z.object({
    opensubtitlesUrl: z.string().url().default('https://api.opensubtitles.com/api/v1'),
    opensubtitlesApiKey: z.string().min(1).optional(),
    /** Sent as User-Agent (OpenSubtitles requires an application name). */
    userAgent: z.string().min(1).default('Alcove v1'),
    /** Machine translation for /subtitles/translate (LibreTranslate API); absent = 501. */
    translationProvider: z.object({
      kind: z.literal('libretranslate'),
      url: z.string().url(),
      apiKey: z.string().min(1).optional(),
    }).strict().optional(),
  }).strict().prefault({}),
  /** Catalogizer conversion jobs (ffmpeg): how many run at once. */
  conversion: z.object({
    maxConcurrent: positiveInt.max(16).default(1),
  }).strict().prefault({}),
  /** HLS transcoding (daemon/media/transcode). */
  transcode: z.object({
    /** Concurrent transcode sessions; one more answers 429 with Retry-After. */
    maxSessions: positiveInt.max(64).default(2),
    /** A session nobody fetched from for this long is stopped and its files removed. */
    idleTimeoutSec: positiveInt.default(120),
    /** Bound on the transcode cache (all sessions' segments together). */
    cacheMaxBytes: positiveInt.default(4 * 1024 * 1024 * 1024),
    /** Target HLS segment length (the first segments are shorter, for a fast start). */
    segmentSeconds: positiveInt.max(30).default(4),
    /** x264 preset for software encodes. */
    preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium']).default('veryfast'),
  }).strict().prefault({}),
}).strict();

export type AlcoveConfig = z.infer<typeof configSchema>;
export type LibrarySeed = z.infer<typeof librarySeedSchema>;
