/**
 * What is kept beside the CLI's state file, one list: `.watchpost/state.json` →
 * `.watchpost/state.runs.json` (locations' reports), `state.pings.json` (heartbeat pings) and the
 * folder `state.history/` (history, a file a day). Each is shared by local processes through
 * lib/store (one document format, one lock).
 */
export const BESIDE_STATE = { runs: ".json", pings: ".json", history: "" } as const;

export function besideStateFile(stateFile: string, kind: keyof typeof BESIDE_STATE): string {
  const base = stateFile.endsWith(".json") ? stateFile.slice(0, -5) : stateFile;
  return `${base}.${kind}${BESIDE_STATE[kind]}`;
}
