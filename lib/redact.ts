/**
 * The one redaction rule: what of a URL may reach any output (reasons, facts, logs, metric labels,
 * notifications, state, CLI lines). Its scheme, host and path, and the names of its query parameters:
 * never userinfo, query values or a fragment. A URL holding `${…}` references (a check's target as
 * written) keeps the reference names, which are not secret, and loses the same parts. Text with none
 * of those parts comes back as it was.
 */
export function redactUrl(url: string | URL, options: { path?: boolean } = {}): string {
  const text = String(url);
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/?#@]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/is.exec(
    text,
  );
  if (!match) return text;
  const [, scheme, host, path = "", query] = match;
  if (options.path === false) return `${scheme}${host}`;
  const keys = query
    ? `?${query
        .split("&")
        .map((pair) => `${pair.split("=")[0]}=…`)
        .join("&")}`
    : "";
  return `${scheme}${host}${path}${keys}`;
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
