/**
 * RFC 6266 Content-Disposition with an RFC 8187 `filename*` for names that are not plain
 * ASCII: old clients read the quoted ASCII fallback, every current one the UTF-8 form.
 */

/** RFC 8187 attr-char percent-encoding (encodeURIComponent also leaves ' ( ) * ! alone). */
export function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function attachment(name: string): string {
  const clean = name.replace(/[\r\n\0]/g, '').replace(/[/\\]/g, '_') || 'download';
  const ascii = clean.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  if (ascii === clean) return `attachment; filename="${ascii}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(clean)}`;
}
