import { PassThrough } from "node:stream";

/** A stream the CLI writes to as to stdout or stderr, whose text a test reads back. */
export function stream(): NodeJS.WriteStream & { text(): string } {
  const chunks: Buffer[] = [];
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { text(): string };
  (s as unknown as PassThrough).on("data", (chunk: Buffer) => chunks.push(chunk));
  s.text = () => Buffer.concat(chunks).toString("utf8");
  return s;
}
