/**
 * Machine translation through the LibreTranslate API (self-hostable; POST /translate with
 * `q` as an array of texts, `source`, `target`, `format: "text"`, optional `api_key`;
 * answers `{translatedText: string[]}`). Texts go in batches so a film's ~1,500 cues are a
 * handful of requests. Failures are UnavailableError (503).
 */
import { UnavailableError } from '../../../domain/errors.js';

export interface Translator {
  translate(texts: string[], source: string, target: string, signal?: AbortSignal): Promise<string[]>;
}

export class LibreTranslateClient implements Translator {
  constructor(private readonly config: { url: string; apiKey?: string; batch?: number; timeoutMs?: number }) {}

  async translate(texts: string[], source: string, target: string, signal?: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    const batch = this.config.batch ?? 100;
    for (let i = 0; i < texts.length; i += batch) {
      const q = texts.slice(i, i + batch);
      const timeout = AbortSignal.timeout(this.config.timeoutMs ?? 60_000);
      let res: Response;
      try {
        res = await fetch(`${this.config.url.replace(/\/+$/, '')}/translate`, {
          method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ q, source, target, format: 'text', ...(this.config.apiKey ? { api_key: this.config.apiKey } : {}) }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (err) {
        throw new UnavailableError(`Translation provider unreachable: ${(err as Error).message}`, 'TRANSLATION_FAILED');
      }
      if (!res.ok) { await res.body?.cancel(); throw new UnavailableError(`Translation provider answered ${res.status}`, 'TRANSLATION_FAILED'); }
      const body = await res.json() as { translatedText?: unknown };
      const t = body.translatedText;
      const list = Array.isArray(t) ? t : [t];
      if (list.length !== q.length || list.some((x) => typeof x !== 'string')) throw new UnavailableError('Translation provider answered an unexpected shape', 'TRANSLATION_FAILED');
      out.push(...(list as string[]));
    }
    return out;
  }
}
