/**
 * 1xx informational responses before the final one (`100 Continue` then `200 OK`) are legal HTTP,
 * and a client must read past them (RFC 9110 §15.2) even unasked; undici instead fails the request
 * on an unsolicited `100`. A probe's connection carries one request, so the informational responses
 * can only come first: this strips them from the start of what the socket delivers to undici.
 */
import type { Socket } from "node:net";

/** A status line of a 1xx other than 101 (Switching Protocols is a final answer of its own). */
const INFORMATIONAL = /^HTTP\/1\.[01] 1(?!01)\d\d[ \r]/;
/** More than this before the end of an informational block, and the bytes pass on untouched. */
const MAX_BLOCK = 16_384;

export function skipInformationalResponses(socket: Socket): void {
  const read = socket.read.bind(socket);
  let pending: Buffer | null = Buffer.alloc(0);
  socket.read = ((size?: number) => {
    if (pending === null) return read(size);
    for (;;) {
      const chunk = read() as Buffer | null;
      if (chunk === null) return null;
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (pending.length < 13) break;
        if (!INFORMATIONAL.test(pending.subarray(0, 13).toString("latin1"))) {
          const out: Buffer = pending;
          pending = null;
          return out;
        }
        const end = pending.indexOf("\r\n\r\n");
        if (end === -1) {
          if (pending.length <= MAX_BLOCK) break;
          const out: Buffer = pending;
          pending = null;
          return out;
        }
        pending = pending.subarray(end + 4);
      }
    }
  }) as Socket["read"];
}
