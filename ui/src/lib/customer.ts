/**
 * A customer's website as a link the browser can open: as typed when it
 * names http(s), with https:// in front when it is a bare host name
 * (`www.example.co.jp`, `例え.jp/about`), none for anything else (a note,
 * another scheme), which is then shown as plain text.
 */
export function websiteHref(website: string): string | null {
  const w = website.trim();
  if (w === '' || /\s/.test(w)) return null;
  const candidate = /^https?:\/\//i.test(w) ? w : /^[^/:@]+\.[^/:@.]+(?::\d+)?(?:\/.*)?$/.test(w) ? `https://${w}` : null;
  if (candidate === null) return null;
  try {
    const url = new URL(candidate);
    return url.protocol === 'http:' || url.protocol === 'https:' ? candidate : null;
  } catch {
    return null;
  }
}
