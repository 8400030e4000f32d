/**
 * What Node's TLS client does on every handshake that a probe has no use for. Once a handshake
 * verifies, Node builds the peer's whole chain as JavaScript objects (`getPeerCertificate(true)`:
 * every field, the raw bytes, fingerprints, each issuer in turn) only to hand it to
 * `checkServerIdentity`: a fifth of an HTTPS probe's CPU on the benchmark's machine. The probes check
 * the hostname themselves, from the lazily parsed X509Certificate (`certificateFacts`), so Node's check
 * is turned off and, until the handshake is over, the socket answers that one call with an empty
 * certificate.
 */
import type { TLSSocket } from "node:tls";

const NONE = Object.freeze({});

/** Node's hostname check, turned off: certificateFacts makes the same check for less. */
export const skipNodeHostnameCheck = (): undefined => undefined;

/** Call on a socket just made with `checkServerIdentity: skipNodeHostnameCheck`. */
export function skipPeerChainObjects(socket: TLSSocket): void {
  socket.getPeerCertificate = (() => NONE) as TLSSocket["getPeerCertificate"];
  const restore = () => {
    // Node's own method again, for anyone who asks after the handshake.
    delete (socket as { getPeerCertificate?: unknown }).getPeerCertificate;
  };
  socket.once("secureConnect", restore);
  socket.once("close", restore);
}
