/**
 * Catalogizer's subtitle language and provider catalogues (seed 003 "Subtitles").
 * Languages: the 19 codes Catalogizer serves, with the seed's ASCII native names.
 * Providers: the five the seed lists; `supported` is true only for the one Alcove really
 * implements (OpenSubtitles), `configured` says whether it can be used right now.
 */

export interface SubtitleLanguage { code: string; name: string; native_name: string }

export const SUBTITLE_LANGUAGES: readonly SubtitleLanguage[] = [
  { code: 'en', name: 'English', native_name: 'English' },
  { code: 'es', name: 'Spanish', native_name: 'Espanol' },
  { code: 'fr', name: 'French', native_name: 'Francais' },
  { code: 'de', name: 'German', native_name: 'Deutsch' },
  { code: 'it', name: 'Italian', native_name: 'Italiano' },
  { code: 'pt', name: 'Portuguese', native_name: 'Portugues' },
  { code: 'ru', name: 'Russian', native_name: 'Russkij' },
  { code: 'ja', name: 'Japanese', native_name: 'Nihongo' },
  { code: 'ko', name: 'Korean', native_name: 'Hangugeo' },
  { code: 'zh', name: 'Chinese', native_name: 'Zhongwen' },
  { code: 'ar', name: 'Arabic', native_name: 'Al-Arabiyya' },
  { code: 'hi', name: 'Hindi', native_name: 'Hindi' },
  { code: 'nl', name: 'Dutch', native_name: 'Nederlands' },
  { code: 'sv', name: 'Swedish', native_name: 'Svenska' },
  { code: 'no', name: 'Norwegian', native_name: 'Norsk' },
  { code: 'da', name: 'Danish', native_name: 'Dansk' },
  { code: 'fi', name: 'Finnish', native_name: 'Suomi' },
  { code: 'pl', name: 'Polish', native_name: 'Polski' },
  { code: 'tr', name: 'Turkish', native_name: 'Turkce' },
];

export interface SubtitleProviderInfo { provider: string; name: string; description: string; supported: boolean; configured: boolean }

const PROVIDERS: ReadonlyArray<Omit<SubtitleProviderInfo, 'supported' | 'configured'>> = [
  { provider: 'opensubtitles', name: 'OpenSubtitles', description: 'Large subtitle database with multiple languages' },
  { provider: 'subdb', name: 'SubDB', description: 'Hash-based subtitle matching' },
  { provider: 'yifysubtitles', name: 'YIFY Subtitles', description: 'Subtitles for YIFY movie releases' },
  { provider: 'subscene', name: 'Subscene', description: 'Community-driven subtitle site' },
  { provider: 'addic7ed', name: 'Addic7ed', description: 'TV show subtitles with translations' },
];

export const IMPLEMENTED_PROVIDERS: ReadonlySet<string> = new Set(['opensubtitles']);

export function subtitleProviders(openSubtitlesConfigured: boolean): SubtitleProviderInfo[] {
  return PROVIDERS.map((p) => ({
    ...p, supported: IMPLEMENTED_PROVIDERS.has(p.provider), configured: p.provider === 'opensubtitles' && openSubtitlesConfigured,
  }));
}

let displayNames: Intl.DisplayNames | undefined;

/** 'en' -> 'English'; ISO 639-2 ('eng') and regions ('pt-br') too; unknown -> the code. */
export function languageName(code: string | undefined): string {
  if (!code) return 'Unknown';
  const lower = code.toLowerCase();
  const known = SUBTITLE_LANGUAGES.find((l) => l.code === lower);
  if (known) return known.name;
  try {
    displayNames ??= new Intl.DisplayNames(['en'], { type: 'language' });
    return displayNames.of(lower) ?? code;
  } catch {
    return code;
  }
}

/** A language name ('English') or code to a lower-case code, when we can tell. */
export function languageCode(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (/^[a-z]{2,3}([-_][a-z]{2,4})?$/.test(v)) return v.replace('_', '-');
  return SUBTITLE_LANGUAGES.find((l) => l.name.toLowerCase() === v || l.native_name.toLowerCase() === v)?.code;
}
