import { describe, expect, it } from "vitest";
import type { Series } from "../../../../lib/metrics/series.js";
import {
  compress,
  SeriesError,
  specLabels,
  WriteRequestEncoder,
} from "../../../../lib/sinks/remote-write/encode.js";
import { decodeWriteRequest } from "../../../support/remote-write.js";

const labels = { team: "web", check: "api", Zone: "a", kind: "http", empty: "" };
const series: Series[] = [
  { name: "probe_success", labels, value: 1, timestampMs: 1_795_000_000_123 },
  {
    name: "probe_http_duration_seconds",
    labels,
    extra: [["phase", "connect"]],
    value: 0.0125,
    timestampMs: 1_795_000_000_123,
  },
  {
    name: "watchpost_check_status",
    labels,
    extra: [["status", "down"]],
    value: 0,
    timestampMs: 1_795_000_000_123,
  },
];

describe("remote-write encoding", () => {
  it("writes labels sorted, unique and non-empty, with __name__, and exact samples", () => {
    const bodies = new WriteRequestEncoder().encode(series, 1_048_576);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.samples).toBe(3);
    const decoded = decodeWriteRequest(compress(bodies[0]?.bytes as Uint8Array));
    expect(decoded).toEqual([
      {
        labels: [
          ["Zone", "a"],
          ["__name__", "probe_success"],
          ["check", "api"],
          ["kind", "http"],
          ["team", "web"],
        ],
        samples: [{ value: 1, timestamp: 1_795_000_000_123 }],
      },
      {
        labels: [
          ["Zone", "a"],
          ["__name__", "probe_http_duration_seconds"],
          ["check", "api"],
          ["kind", "http"],
          ["phase", "connect"],
          ["team", "web"],
        ],
        samples: [{ value: 0.0125, timestamp: 1_795_000_000_123 }],
      },
      {
        labels: [
          ["Zone", "a"],
          ["__name__", "watchpost_check_status"],
          ["check", "api"],
          ["kind", "http"],
          ["status", "down"],
          ["team", "web"],
        ],
        samples: [{ value: 0, timestamp: 1_795_000_000_123 }],
      },
    ]);
    for (const s of series)
      expect(decoded.find((d) => d.labels.some(([, v]) => v === s.name))?.labels).toEqual(specLabels(s));
  });

  it("splits by size, every sample in exactly one body", () => {
    const many: Series[] = Array.from({ length: 500 }, (_, i) => ({
      name: "probe_success",
      labels: { check: `check-${i}` },
      value: i,
      timestampMs: 1_795_000_000_000,
    }));
    const bodies = new WriteRequestEncoder().encode(many, 4_096);
    expect(bodies.length).toBeGreaterThan(5);
    expect(bodies.every((b) => b.bytes.length <= 4_096)).toBe(true);
    const values = bodies.flatMap((b) =>
      decodeWriteRequest(compress(b.bytes)).map((d) => d.samples[0]?.value),
    );
    expect(values).toEqual(many.map((s) => s.value));
    expect(bodies.reduce((n, b) => n + b.samples, 0)).toBe(500);
  });

  it("refuses what the spec forbids, naming it", () => {
    const encode = (s: Partial<Series>) =>
      new WriteRequestEncoder().encode([{ name: "m", labels: {}, value: 1, timestampMs: 1, ...s }], 1_000);
    expect(() => encode({ name: "bad-name" })).toThrow(new SeriesError('invalid metric name "bad-name"'));
    expect(() => encode({ labels: { "bad-label": "x" } })).toThrow(SeriesError);
    expect(() => encode({ labels: { __reserved: "x" } })).toThrow(SeriesError);
    expect(() => encode({ labels: { phase: "a" }, extra: [["phase", "b"]] })).toThrow(
      'duplicate label "phase" on m',
    );
  });

  it("compresses in snappy's block format, as remote-write requires", () => {
    const body = new WriteRequestEncoder().encode(series, 1_048_576)[0]?.bytes as Uint8Array;
    const compressed = compress(body);
    // A block starts with the uncompressed length as a varint, not the framing format's 0xff chunk.
    expect(compressed[0]).not.toBe(0xff);
    let length = 0;
    let shift = 0;
    for (let i = 0; ; i++) {
      const byte = compressed[i] as number;
      length += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) break;
    }
    expect(length).toBe(body.length);
  });
});
