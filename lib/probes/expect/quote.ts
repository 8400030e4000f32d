import { clip } from "../../text.js";

/** A found or expected value as a reason quotes it: JSON, cut at 80 characters. */
export function quote(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : clip(json, 80, "...");
}
