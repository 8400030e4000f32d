/**
 * Text cut to fit a limit (an SNS subject, a Slack block, a quoted value in a reason), marked where
 * it was cut so a reader knows there was more.
 */
export function clip(text: string, limit: number, marker = "…"): string {
  return text.length <= limit ? text : `${text.slice(0, Math.max(0, limit - marker.length))}${marker}`;
}
