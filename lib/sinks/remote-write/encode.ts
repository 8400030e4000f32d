/**
 * Prometheus remote-write 1.0 bodies: protobuf `WriteRequest` written with @bufbuild/protobuf's wire
 * writer (no code generation: four small messages), compressed with snappy's block format.
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *
 * The spec's rules are the encoder's, not the receiver's (Prometheus accepts far worse): labels
 * sorted by name, names valid and unique, `__name__` present, no empty values.
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import snappy from "snappyjs";
import type { Series } from "../../metrics/series.js";

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export class SeriesError extends Error {
  override name = "SeriesError";
}

/** A series' labels as the spec wants them: `__name__` included, sorted, valid, unique, none empty. */
export function specLabels(series: Series): [string, string][] {
  if (!METRIC_NAME.test(series.name)) throw new SeriesError(`invalid metric name "${series.name}"`);
  const labels: [string, string][] = [["__name__", series.name]];
  const own = [...Object.entries(series.labels), ...(series.extra ?? [])];
  for (const [name, value] of own) {
    if (value === "") continue;
    if (!LABEL_NAME.test(name) || name.startsWith("__"))
      throw new SeriesError(`invalid label name "${name}" on ${series.name}`);
    labels.push([name, value]);
  }
  labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (let i = 1; i < labels.length; i++) {
    if (labels[i]?.[0] === labels[i - 1]?.[0])
      throw new SeriesError(`duplicate label "${labels[i]?.[0]}" on ${series.name}`);
  }
  return labels;
}

/** Bytes of `value` as a protobuf varint (non-negative integers up to 2^53). */
function varintLength(value: number): number {
  let length = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** One uncompressed WriteRequest and how many samples it holds. */
export interface Body {
  bytes: Uint8Array;
  samples: number;
}

interface Field {
  name: string;
  bytes: Uint8Array;
}

/**
 * Encodes series into WriteRequest bodies. Every series of a check shares one labels object, so its
 * fields are validated, sorted and encoded once; each series then merges in `__name__` and its own
 * extra labels. Message lengths are computed rather than forked, so one writer serves a whole body.
 */
export class WriteRequestEncoder {
  /** name → value → the complete `labels` field (tag, length, Label message). */
  private readonly fields = new Map<string, Map<string, Field>>();
  private fieldCount = 0;
  private readonly shared = new WeakMap<Record<string, string>, Field[]>();
  private readonly validMetricNames = new Set<string>();
  private readonly validLabelNames = new Set<string>();

  private field(name: string, value: string): Field {
    let values = this.fields.get(name);
    if (!values) {
      values = new Map();
      this.fields.set(name, values);
    }
    let field = values.get(value);
    if (!field) {
      const bytes = new BinaryWriter()
        .tag(1, WireType.LengthDelimited)
        .fork()
        .tag(1, WireType.LengthDelimited)
        .string(name)
        .tag(2, WireType.LengthDelimited)
        .string(value)
        .join()
        .finish();
      field = { name, bytes };
      if (++this.fieldCount > 200_000) {
        this.fields.clear();
        this.fieldCount = 0;
      }
      values.set(value, field);
    }
    return field;
  }

  private sharedFields(series: Series): Field[] {
    let fields = this.shared.get(series.labels);
    if (!fields) {
      fields = specLabels({ name: series.name, labels: series.labels, value: 0, timestampMs: 0 })
        .filter(([name]) => name !== "__name__")
        .map(([name, value]) => this.field(name, value));
      this.shared.set(series.labels, fields);
    }
    return fields;
  }

  private checkMetricName(name: string): void {
    if (this.validMetricNames.has(name)) return;
    if (!METRIC_NAME.test(name)) throw new SeriesError(`invalid metric name "${name}"`);
    this.validMetricNames.add(name);
  }

  private checkLabelName(name: string, series: Series): void {
    if (this.validLabelNames.has(name)) return;
    if (!LABEL_NAME.test(name) || name.startsWith("__"))
      throw new SeriesError(`invalid label name "${name}" on ${series.name}`);
    this.validLabelNames.add(name);
  }

  /** The sorted fields of one series: the shared ones with `__name__` and the extra label merged in. */
  private seriesFields(series: Series): Field[] {
    this.checkMetricName(series.name);
    const shared = this.sharedFields(series);
    const own = [this.field("__name__", series.name)];
    for (const [name, value] of series.extra ?? []) {
      if (value === "") continue;
      this.checkLabelName(name, series);
      own.push(this.field(name, value));
    }
    if (own.length > 1) own.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 1; i < own.length; i++) {
      if ((own[i] as Field).name === (own[i - 1] as Field).name)
        throw new SeriesError(`duplicate label "${(own[i] as Field).name}" on ${series.name}`);
    }
    const merged: Field[] = [];
    let i = 0;
    for (const field of shared) {
      while (i < own.length && (own[i] as Field).name <= field.name) {
        if ((own[i] as Field).name === field.name)
          throw new SeriesError(`duplicate label "${field.name}" on ${series.name}`);
        merged.push(own[i++] as Field);
      }
      merged.push(field);
    }
    while (i < own.length) merged.push(own[i++] as Field);
    return merged;
  }

  /**
   * Bodies of at most about `maxBytes` each (uncompressed), together holding every series once; a
   * single series larger than that still goes, alone. A series the spec forbids throws, unless
   * `onInvalid` is given: then it alone is left out and handed there, and the rest still goes.
   */
  encode(
    series: readonly Series[],
    maxBytes: number,
    timestampFor: (s: Series) => number = (s) => s.timestampMs,
    onInvalid?: (series: Series, error: SeriesError) => void,
  ): Body[] {
    const bodies: Body[] = [];
    let writer = new BinaryWriter();
    let size = 0;
    let samples = 0;
    for (const one of series) {
      let fields: Field[];
      try {
        fields = this.seriesFields(one);
      } catch (error) {
        if (!(onInvalid && error instanceof SeriesError)) throw error;
        onInvalid(one, error);
        continue;
      }
      const timestamp = Math.trunc(timestampFor(one));
      const sampleLength = 1 + 8 + 1 + varintLength(timestamp);
      let length = 1 + varintLength(sampleLength) + sampleLength;
      for (const field of fields) length += field.bytes.length;
      const total = 1 + varintLength(length) + length;
      if (size > 0 && size + total > maxBytes) {
        bodies.push({ bytes: writer.finish(), samples });
        writer = new BinaryWriter();
        size = 0;
        samples = 0;
      }
      writer.tag(1, WireType.LengthDelimited).uint32(length);
      for (const field of fields) writer.raw(field.bytes);
      writer
        .tag(2, WireType.LengthDelimited)
        .uint32(sampleLength)
        .tag(1, WireType.Bit64)
        .double(one.value)
        .tag(2, WireType.Varint)
        .int64(timestamp);
      size += total;
      samples++;
    }
    if (size > 0) bodies.push({ bytes: writer.finish(), samples });
    return bodies;
  }
}

/** Snappy block format, as remote-write requires (not the framed/stream format). */
export function compress(body: Uint8Array): Uint8Array {
  return snappy.compress(body);
}
