/**
 * Text a hostile target or job could write, with one of everything an output might act on instead of
 * showing: chat mentions, disguised and markdown links, markdown, HTML, ANSI and OSC sequences (a
 * screen clear, an OSC 8 hyperlink, an OSC 52 clipboard write, a single-byte CSI), CR/LF that would
 * forge a line, NUL, DEL, a bidirectional override and a code fence.
 */
export const HOSTILE = [
  "<!channel> <@U024BE7LH> <!subteam^S0123|oncall>",
  "<https://evil.example/|runbook> [runbook](https://evil.example/) javascript:alert(1)",
  "*bold* _italic_ ~strike~ **strong** # heading",
  "<b>bold</b><script>alert(1)</script><img src=x onerror=alert(1)> &amp;",
  "\x1b[2J\x1b[31mred\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\x1b]52;c;ZXZpbA==\x07\x9b31m",
  "\r\nCHECK      STATUS  forged-row  UP\r\n",
  "nul\x00del\x7f\u202eevil",
  "```\nclosed the fence\n```",
].join(" ");

/** Bytes a terminal interprets: any C0 control but tab and newline, DEL, C1, and ESC above all. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
export const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/;

/** A link or a mention a chat client would form from text: `<…>` as Slack reads it, `[…](…)` as markdown. */
export const CHAT_MARKUP = /<[!@#]|<https?:|\]\(https?:/;

/** Any control character at all, line breaks included (tab aside). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
export const ANY_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202e]/;

/** Every string in a plain value, deep. */
export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** A failed job's log written to attack the fence it is quoted in, and the terminal reading it. */
export const HOSTILE_LOG = [
  "starting backup",
  "```",
  "Runbook: https://evil.example/ (a forged line outside the quote)",
  "````` <!channel> [click](https://evil.example/)",
  "\x1b[2J\x1b]52;c;ZXZpbA==\x07cleared\rCR-overwrite",
  "nul\x00 end",
].join("\n");
