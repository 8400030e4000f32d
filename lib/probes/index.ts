/** The one registry of check kinds: the schema, the CLI and the engine all derive their lists from it. */
import { backupProbe } from "./backup.js";
import { dnsProbe } from "./dns.js";
import { httpProbe } from "./http.js";
import type { Probe } from "./probe.js";
import { tcpProbe } from "./tcp.js";
import { tlsProbe } from "./tls.js";

export const PROBES = {
  http: httpProbe,
  tls: tlsProbe,
  tcp: tcpProbe,
  dns: dnsProbe,
  backup: backupProbe,
} as const satisfies Record<string, Probe>;

export type Kind = keyof typeof PROBES;
export const KINDS = Object.keys(PROBES) as Kind[];
