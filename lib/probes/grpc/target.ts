/** A gRPC target as a check names it (`host:port`, `[::1]:50051`, `host`), as blackbox_exporter reads one. */
import net from "node:net";

/** `host:port` → host and port; without a port, 443 over TLS and 80 without (blackbox's defaults). */
export function parseGrpcTarget(value: string, tls: boolean): { host: string; port: number } | undefined {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$/.exec(value);
  const plain = /^([^\s/:[\]@?#]+)(?::(\d{1,5}))?$/.exec(value);
  const match = bracketed ?? plain;
  if (!match) return undefined;
  const host = match[1] as string;
  if (bracketed && !net.isIPv6(host)) return undefined;
  const port = match[2] === undefined ? (tls ? 443 : 80) : Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host, port };
}
