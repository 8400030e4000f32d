/** Decodes remote-write bodies independently of the encoder: snappy block, then the protobuf wire. */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import snappy from "snappyjs";

export interface DecodedSeries {
  labels: [string, string][];
  samples: { value: number; timestamp: number }[];
}

export function decodeWriteRequest(compressed: Uint8Array): DecodedSeries[] {
  const reader = new BinaryReader(snappy.uncompress(compressed));
  const series: DecodedSeries[] = [];
  while (reader.pos < reader.len) {
    const [field, type] = reader.tag();
    if (field !== 1 || type !== WireType.LengthDelimited)
      throw new Error(`unexpected WriteRequest field ${field}`);
    series.push(decodeTimeSeries(reader.bytes()));
  }
  return series;
}

function decodeTimeSeries(bytes: Uint8Array): DecodedSeries {
  const reader = new BinaryReader(bytes);
  const out: DecodedSeries = { labels: [], samples: [] };
  while (reader.pos < reader.len) {
    const [field] = reader.tag();
    const inner = new BinaryReader(reader.bytes());
    if (field === 1) {
      let name = "";
      let value = "";
      while (inner.pos < inner.len) {
        const [f] = inner.tag();
        if (f === 1) name = inner.string();
        else value = inner.string();
      }
      out.labels.push([name, value]);
    } else {
      let value = 0;
      let timestamp = 0;
      while (inner.pos < inner.len) {
        const [f] = inner.tag();
        if (f === 1) value = inner.double();
        else timestamp = Number(inner.int64());
      }
      out.samples.push({ value, timestamp });
    }
  }
  return out;
}
