import type { Condition } from "../../result.js";

export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** Acceptable statuses: codes (`200`) or classes (`2xx`). */
export type StatusExpect = readonly (number | StatusClass)[];

export function statusMatches(status: number, accepted: StatusExpect): boolean {
  return accepted.some((entry) =>
    typeof entry === "number" ? entry === status : `${Math.floor(status / 100)}xx` === entry,
  );
}

/** `status 200`, or `status 503, expected 200 or 2xx`. */
export function statusCondition(status: number, accepted: StatusExpect): Condition {
  const ok = statusMatches(status, accepted);
  return {
    ok,
    effect: "fail",
    text: ok ? `status ${status}` : `status ${status}, expected ${accepted.join(" or ")}`,
  };
}
