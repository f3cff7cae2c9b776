import { readFileSync } from 'node:fs';

/**
 * Strings for every page in English and Simplified Chinese. The locale comes from the launch's
 * `launch_presentation.locale`, then `Accept-Language`, then English.
 */
export const LOCALES = ['en', 'zh-Hans'] as const;
export type Locale = (typeof LOCALES)[number];

type Messages = Record<string, string>;
const load = (name: string): Messages =>
  JSON.parse(readFileSync(new URL(`./locales/${name}.json`, import.meta.url), 'utf8')) as Messages;
export const messages: Record<Locale, Messages> = { en: load('en'), 'zh-Hans': load('zh-Hans') };

/** Maps any locale tag (zh, zh-CN, zh_Hans_CN, en-GB…) to one we have. */
export function matchLocale(tag: string | undefined): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.toLowerCase().replace('_', '-');
  if (t.startsWith('zh')) return t.includes('hant') || t === 'zh-tw' || t === 'zh-hk' ? undefined : 'zh-Hans';
  if (t.startsWith('en')) return 'en';
  return undefined;
}

export function localeFromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { tag, q: q ? Number(q) : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const m = matchLocale(tag);
    if (m) return m;
  }
  return undefined;
}

/** Translates a key, filling `{name}` placeholders. A missing key shows itself, never crashes a page. */
export function translate(locale: Locale, key: string, params: Record<string, string | number> = {}): string {
  const text = messages[locale][key] ?? messages.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}
