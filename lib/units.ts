/** Durations and sizes as written in check files: `300ms`, `30s`, `5m`, `26h`, `14d`; `512KiB`, `1MiB`. */

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const SIZE_UNITS = {
  B: 1,
  KB: 1_000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  KiB: 1_024,
  MiB: 1_048_576,
  GiB: 1_073_741_824,
} as const;

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
export const SIZE_PATTERN = /^(\d+)(B|KB|MB|GB|KiB|MiB|GiB)$/;

/** Milliseconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]);
}

/** Bytes in a size string, or undefined when it is not one. */
export function parseSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * SIZE_UNITS[match[2] as keyof typeof SIZE_UNITS];
}

/** The shortest exact way to write `ms` in check-file units (`2s`, `1500ms`, `26h`). */
export function formatDuration(ms: number): string {
  const units: [keyof typeof DURATION_UNITS_MS, number][] = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms)}ms`;
}

/** A human age or remaining time, rounded to the unit people read: `5d`, `31h`, `12m`, `40s`. */
export function formatSpan(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 10 * 86_400_000) return `${Math.floor(ms / 86_400_000)}d`;
  if (abs >= 2 * 86_400_000)
    return `${Math.floor(ms / 86_400_000)}d${Math.floor((ms % 86_400_000) / 3_600_000)}h`;
  if (abs >= 2 * 3_600_000) return `${Math.floor(ms / 3_600_000)}h`;
  if (abs >= 2 * 60_000) return `${Math.floor(ms / 60_000)}m`;
  return `${Math.floor(ms / 1_000)}s`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1_073_741_824 && bytes % 1_073_741_824 === 0) return `${bytes / 1_073_741_824}GiB`;
  if (bytes >= 1_048_576 && bytes % 1_048_576 === 0) return `${bytes / 1_048_576}MiB`;
  if (bytes >= 1_024 && bytes % 1_024 === 0) return `${bytes / 1_024}KiB`;
  return `${bytes}B`;
}
