/** A DNS server's address as a check names it (`1.1.1.1`, `127.0.0.1:5353`, `[::1]:53`). */
import { getServers } from "node:dns";
import net from "node:net";

/** `1.1.1.1`, `127.0.0.1:5353`, `::1`, `[::1]:53` → host and port. */
export function parseResolver(value: string): { host: string; port: number } | undefined {
  if (net.isIP(value)) return { host: value, port: 53 };
  const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(value);
  if (v4 && net.isIPv4(v4[1] as string) && Number(v4[2]) <= 65535)
    return { host: v4[1] as string, port: Number(v4[2]) };
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(value);
  if (v6 && net.isIPv6(v6[1] as string) && Number(v6[2]) <= 65535)
    return { host: v6[1] as string, port: Number(v6[2]) };
  return undefined;
}

/** The server a check asks: its `resolver`, or the system's first (what a blackbox target names). */
export function dnsServer(resolver: string | undefined): string {
  return resolver ?? getServers()[0] ?? "127.0.0.1";
}

export function formatServer(server: { host: string; port: number }): string {
  const host = net.isIPv6(server.host) ? `[${server.host}]` : server.host;
  return server.port === 53 ? server.host : `${host}:${server.port}`;
}
