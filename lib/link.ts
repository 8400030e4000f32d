/**
 * What a notification may link to: an absolute http: or https: URL, written on one line. The same
 * rule refuses anything else at validate (lib/checks/fields.ts) and keeps it out of every link a
 * channel renders (a state entry written before the rule existed, say). A `javascript:` runbook
 * would run in a reader's browser, and Slack refuses a whole message whose button is not http(s).
 */
export function isLink(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a URL parser would drop these silently.
  if (!/^https?:\/\//i.test(text) || /[\s\u0000-\u001f\u007f-\u009f]/.test(text)) return false;
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}
