import dns from "node:dns";
import net, { type LookupFunction } from "node:net";

/** The address a probe connected to, as blackbox_exporter reports it (probe_ip_protocol, probe_ip_addr_hash). */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
  /** How long the name took to resolve (0 for an IP literal), ms. */
  lookupMs: number;
}

/**
 * A `lookup` for net and tls that records how long name resolution took (0 for IP literals) and
 * the first address it gave.
 */
export function timedLookup(): {
  fn: LookupFunction;
  durationMs(): number;
  /** The first address resolved, or `host` itself when it is an IP literal (never looked up). */
  resolved(host: string): ResolvedAddress | undefined;
} {
  let duration = 0;
  let first: ResolvedAddress | undefined;
  const fn: LookupFunction = (hostname, options, callback) => {
    const started = performance.now();
    dns.lookup(hostname, options, (...args: Parameters<typeof callback>) => {
      duration += performance.now() - started;
      const [error, address, family] = args as [
        Error | null,
        string | { address: string; family: number }[],
        number,
      ];
      if (!error && !first) {
        const picked = Array.isArray(address) ? address[0] : { address, family };
        if (picked) first = { address: picked.address, family: picked.family === 6 ? 6 : 4, lookupMs: 0 };
      }
      (callback as (...a: unknown[]) => void)(...args);
    });
  };
  return {
    fn,
    durationMs: () => duration,
    resolved(host) {
      const literal = host.replace(/^\[|\]$/g, "");
      const family = net.isIP(literal);
      if (family) return { address: literal, family: family === 6 ? 6 : 4, lookupMs: 0 };
      return first ? { ...first, lookupMs: duration } : undefined;
    },
  };
}

/**
 * blackbox_exporter's probe_ip_addr_hash: FNV-1a (32 bit) over the address's bytes, 4 for IPv4 and
 * 16 for IPv6, so a change of address shows as a change of value.
 */
export function ipAddressHash(address: string): number {
  const bytes = addressBytes(address);
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function addressBytes(address: string): number[] {
  if (net.isIPv4(address)) return address.split(".").map(Number);
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4mapped) return (v4mapped[1] as string).split(".").map(Number);
  // Expand `::` and an embedded IPv4 tail to eight 16-bit groups.
  let text = address.split("%")[0] as string;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = (tail[1] as string).split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -(tail[1] as string).length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.flatMap((group) => {
    const value = Number.parseInt(group, 16) || 0;
    return [value >> 8, value & 0xff];
  });
}
