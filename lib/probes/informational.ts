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

/**
 * `onFinal` is told the final response's protocol version (`1.1`) from its status line: undici does
 * not say which version answered.
 */
export function skipInformationalResponses(socket: Socket, onFinal?: (version: string) => void): void {
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
        const head = pending.subarray(0, 13).toString("latin1");
        if (!INFORMATIONAL.test(head)) {
          const version = /^HTTP\/(\d\.\d) /.exec(head)?.[1];
          if (version) onFinal?.(version);
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
