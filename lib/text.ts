/**
 * Text cut to fit a limit (an SNS subject, a Slack block, a quoted value in a reason), marked where
 * it was cut so a reader knows there was more.
 */
export function clip(text: string, limit: number, marker = "…"): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - marker.length))}${marker}`;
}

/**
 * What a terminal, a chat client or a mail reader would act on instead of showing: C0 controls but
 * tab (line breaks and ESC, which opens ANSI and OSC sequences, among them), DEL, C1 controls (a
 * single-byte CSI among them), the Unicode line and paragraph separators, and the bidirectional
 * overrides that reorder what a reader sees.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

function escapeOf(char: string): string {
  if (char === "\n") return "\\n";
  if (char === "\r") return "\\r";
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Every control character as a visible escape (`ESC[2J` becomes `\x1b[2J`, a line break `\n`): the
 * text stays on one line and nothing in it is interpreted. Printable text is left as it was.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, escapeOf);
}

/** The most of one piece of untrusted text (a reason, a fact) kept, escapes included. */
export const UNTRUSTED_LIMIT = 2_000;

/**
 * The one rule for text a target, a job or a file wrote (a reason, a fact): on one line, control
 * characters shown as escapes, at most `limit` characters. Outputs escape it further for their own
 * format (Slack, Teams, an SNS subject, a terminal).
 */
export function untrusted(text: string, limit = UNTRUSTED_LIMIT): string {
  return clip(visible(text), limit);
}

/**
 * The same rule for text whose lines matter (a job's log): each line made `visible`, lines joined
 * with `\n`, and when longer than `limit`, its end kept (a log's last lines say why it failed).
 */
export function untrustedLines(text: string, limit: number): string {
  const lines = text
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map(visible)
    .join("\n");
  return lines.length <= limit ? lines : `…${lines.slice(lines.length - limit + 1)}`;
}

/** `untrusted` over every string in a plain value (a result's facts). */
export function untrustedDeep<T>(value: T, limit = UNTRUSTED_LIMIT): T {
  if (typeof value === "string") return untrusted(value, limit) as T;
  if (Array.isArray(value)) return value.map((item) => untrustedDeep(item, limit)) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, untrustedDeep(v, limit)])) as T;
  return value;
}
