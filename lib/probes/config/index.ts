/**
 * The schema registry of check kinds: each kind's block of a check file, for the loader, the JSON
 * Schema and `watchpost validate`. Never imported by the probe function (lib/probes/index.ts is its
 * registry).
 */
import type { z } from "zod";
import type { Kind } from "../kinds.js";
import { backupConfig } from "./backup.js";
import { dnsConfig } from "./dns.js";
import { grpcConfig } from "./grpc.js";
import { heartbeatConfig } from "./heartbeat.js";
import { httpConfig } from "./http.js";
import { stepsConfig } from "./steps.js";
import { tcpConfig } from "./tcp.js";
import { tlsConfig } from "./tls.js";
import { websocketConfig } from "./websocket.js";

export const CONFIGS = {
  http: httpConfig,
  tls: tlsConfig,
  tcp: tcpConfig,
  dns: dnsConfig,
  backup: backupConfig,
  heartbeat: heartbeatConfig,
  grpc: grpcConfig,
  steps: stepsConfig,
  websocket: websocketConfig,
} as const satisfies Record<Kind, z.ZodType>;
