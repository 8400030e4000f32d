/**
 * The one redaction rule: what of a URL may reach any output (reasons, facts, logs, metric labels,
 * notifications, state, CLI lines). Its scheme, host and path, and the names of its query parameters:
 * never userinfo, query values or a fragment. A URL holding `${…}` references (a check's target as
 * written) keeps the reference names, which are not secret, and loses the same parts. Text with none
 * of those parts comes back as it was.
 *
 * Where userinfo ends is the URL standard's answer (`new URL`: at the last `@` before the path, so a
 * password may hold `@`, `:` and `%`); what does not parse is cut by a rule that drops at least as
 * much.
 */
export function redactUrl(url: string | URL, options: { path?: boolean } = {}): string {
  const text = String(url);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return conservative(text, options);
  const references: string[] = [];
  // A reference stands in as a name the parser keeps unchanged in a host, a path or a query.
  const stand = (i: number) => `wpref${i}x`;
  if (/wpref\d+x/i.test(text)) return conservative(text, options);
  let parsed: URL;
  try {
    parsed = new URL(text.replace(/\$\{[^}]*\}/g, (reference) => stand(references.push(reference) - 1)));
  } catch {
    return conservative(text, options);
  }
  const restore = (part: string) => part.replace(/wpref(\d+)x/g, (_, i) => references[Number(i)] as string);
  const origin = `${parsed.protocol}//${restore(parsed.host)}`;
  if (options.path === false) return origin;
  // `https://host` stays as written, not `https://host/`.
  const path = parsed.pathname === "/" && !/^[^?#]*:\/\/[^/?#\\]*[/\\]/.test(text) ? "" : parsed.pathname;
  return `${origin}${restore(path)}${queryNames(parsed.search.slice(1))}`;
}

/** `a=1&b=2` → `?a=…&b=…`; a part with no `=` may be a bare token, so it goes whole. */
function queryNames(query: string): string {
  if (query === "") return "";
  return `?${query
    .split("&")
    .map((pair) => (pair.includes("=") ? `${pair.slice(0, pair.indexOf("="))}=…` : "…"))
    .join("&")}`;
}

/**
 * For what does not parse: the query's values and any fragment go, and everything up to the last `@`
 * before them (after a scheme, a password may hold a raw `/`; without one, only the leading
 * `user:password@` of `user:password@host:port`).
 */
function conservative(text: string, options: { path?: boolean }): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/is.exec(text);
  if (!match) return text;
  const [, scheme = "", rest = "", query] = match;
  const authorityEnd = scheme ? rest.length : rest.search(/[/\\]|$/);
  const after = rest.slice(rest.lastIndexOf("@", authorityEnd - 1) + 1);
  if (options.path === false) return `${scheme}${after.slice(0, after.search(/[/\\]|$/))}`;
  return `${scheme}${after}${query === undefined ? "" : queryNames(query)}`;
}

/**
 * Removes every resolved reference value from `text`: a `${secret:…}` in a URL's path, a header
 * echoed in a reason. Values shorter than four characters are left alone (they would blank out
 * ordinary words, and are no secret worth the name).
 */
export function scrub(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    // As written, and as a URL carries it (percent-encoded).
    for (const form of new Set([secret, encodeURIComponent(secret), encodeURI(secret)]))
      out = out.split(form).join("[redacted]");
  }
  return out;
}

/** `scrub` over every string in a plain value (a result's facts, its conditions). */
export function scrubDeep<T>(value: T, secrets: ReadonlySet<string>): T {
  if (secrets.size === 0) return value;
  if (typeof value === "string") return scrub(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, secrets)) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  return value;
}
