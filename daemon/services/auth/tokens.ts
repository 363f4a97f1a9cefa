/**
 * JWTs (HS256, jose) that carry a session id. The token only says which session and what
 * kind of token it is; the session record decides whether it is still valid, so logout and
 * password changes revoke tokens immediately.
 */
import { systemClock, type Clock } from '../../domain/ports.js';
import { deriveKey } from './secret-key.js';

export { loadOrCreateSecretKey, deriveKey } from './secret-key.js';

export type TokenType = 'access' | 'refresh' | 'share';
const TOKEN_TYPES: readonly string[] = ['access', 'refresh', 'share'];

export interface TokenClaims {
  /** Session id. */
  sid: string;
  /** User id (JWT `sub` is a string; this is the number). */
  userId: number;
  typ: TokenType;
  /** Expiry, Unix seconds. */
  exp: number;
  /** Issued at, Unix seconds. */
  iat: number;
  /** Share tokens: what the link grants (opaque to this module). */
  scope?: string;
}

export interface SignInput {
  sid: string;
  userId: number;
  typ: TokenType;
  /** Lifetime in seconds from the clock's now. */
  ttlSec: number;
  scope?: string;
}

const ISSUER = 'alcove';

/**
 * jose is loaded on the first sign or verify, not at start: its ~45 modules are ~1 MB of
 * heap that a daemon nobody has logged in to yet does not need (both paths are async).
 */
let jose: Promise<typeof import('jose')> | undefined;
const loadJose = (): Promise<typeof import('jose')> => (jose ??= import('jose'));

/** Verified tokens remembered, so a client's every request does not redo the HMAC check. */
const VERIFIED_CACHE_MAX = 4096;

export class TokenSigner {
  private readonly key: Uint8Array;
  /**
   * token -> claims of tokens whose signature already verified. A signature check is
   * deterministic for a given key, so remembering it is safe; expiry and type are still
   * checked on every call, and callers still check the session (revocation) every time.
   * jose goes through WebCrypto (importKey per call), which cost about a third of a small
   * authenticated request before this cache.
   */
  private readonly verified = new Map<string, TokenClaims>();

  /** `master` is the daemon secret (loadOrCreateSecretKey); a JWT-only key is derived from it. */
  constructor(master: Uint8Array, private readonly clock: Clock = systemClock) {
    if (master.length < 32) throw new RangeError('token key must be at least 32 bytes');
    this.key = deriveKey(master, 'alcove-jwt-hs256');
  }

  async sign(input: SignInput): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    const payload: Record<string, unknown> = { sid: input.sid, typ: input.typ };
    if (input.scope !== undefined) payload.scope = input.scope;
    const { SignJWT } = await loadJose();
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(input.userId))
      .setIssuer(ISSUER)
      .setIssuedAt(iat)
      .setExpirationTime(iat + Math.max(1, Math.floor(input.ttlSec)))
      .sign(this.key);
  }

  /**
   * Synchronous: the claims of a token whose signature was already verified (cached), when
   * it is unexpired and of type `expected`; undefined otherwise, which means "ask verify()"
   * (the token may still be valid, just not seen yet).
   */
  cachedClaims(token: string, expected: TokenType): TokenClaims | undefined {
    const cached = this.verified.get(token);
    if (!cached || cached.typ !== expected || cached.exp * 1000 <= this.clock.now()) return undefined;
    return cached;
  }

  /**
   * Claims of a valid, unexpired token (of type `expected` when given); undefined for
   * anything else, garbage included. Never throws.
   */
  async verify(token: string | undefined, expected?: TokenType): Promise<TokenClaims | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return undefined;
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.exp * 1000 <= this.clock.now()) { this.verified.delete(token); return undefined; }
      return expected && cached.typ !== expected ? undefined : cached;
    }
    try {
      const { jwtVerify } = await loadJose();
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'], issuer: ISSUER, currentDate: new Date(this.clock.now()),
      });
      const { sid, typ, sub, exp, iat, scope } = payload;
      if (typeof sid !== 'string' || typeof typ !== 'string' || !TOKEN_TYPES.includes(typ)) return undefined;
      if (expected && typ !== expected) return undefined;
      const userId = Number(sub);
      if (!Number.isSafeInteger(userId) || userId <= 0 || typeof exp !== 'number') return undefined;
      const claims: TokenClaims = {
        sid, userId, typ: typ as TokenType, exp, iat: typeof iat === 'number' ? iat : 0,
        ...(typeof scope === 'string' ? { scope } : {}),
      };
      if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, claims);
      return claims;
    } catch {
      return undefined;
    }
  }
}
