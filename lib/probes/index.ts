/**
 * The run-time registry of check kinds: what the engine (and the probe function) runs. No schema
 * here: the function's bundle carries no validation library (the schemas: lib/probes/config/).
 */
import { backupProbe } from "./backup.js";
import { dnsProbe } from "./dns.js";
import { grpcProbe } from "./grpc.js";
import { heartbeatProbe } from "./heartbeat.js";
import { httpProbe } from "./http.js";
import type { Kind } from "./kinds.js";
import type { Probe } from "./probe.js";
import { stepsProbe } from "./steps.js";
import { tcpProbe } from "./tcp.js";
import { tlsProbe } from "./tls.js";
import { websocketProbe } from "./websocket.js";

export { KINDS, type Kind } from "./kinds.js";

export const PROBES = {
  http: httpProbe,
  tls: tlsProbe,
  tcp: tcpProbe,
  dns: dnsProbe,
  backup: backupProbe,
  heartbeat: heartbeatProbe,
  grpc: grpcProbe,
  steps: stepsProbe,
  websocket: websocketProbe,
} as const satisfies Record<Kind, Probe<never>>;
