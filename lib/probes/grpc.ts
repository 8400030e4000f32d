/**
 * The grpc probe: the standard health check (`grpc.health.v1.Health/Check`) over HTTP/2 on a
 * connection of its own, timed as blackbox_exporter's grpc prober reports it (resolve, then the
 * check: connect, TLS and the call), with the serving status, the gRPC status and TLS facts.
 */

import { hostPort } from "../http/proxy.js";
import type { Condition, Facts, Observation, Phase } from "../result.js";
import { clip } from "../text.js";
import { USER_AGENT } from "../version.js";
import { readCa, readClientIdentity } from "./certificate.js";
import type { GrpcConfig } from "./config/grpc.js";
import { connect } from "./connect.js";
import { describeNetworkError } from "./errors.js";
import { latencyConditions } from "./expect/latency.js";
import { quote } from "./expect/quote.js";
import { type TransportError, type UnaryResponse, unaryCall } from "./grpc/call.js";
import {
  codeForHttpStatus,
  decodeHealthResponse,
  encodeHealthRequest,
  GRPC_INTERNAL,
  GRPC_NOT_FOUND,
  GRPC_OK,
  GRPC_UNAVAILABLE,
  GRPC_UNIMPLEMENTED,
  grpcCodeName,
  HEALTH_CHECK_PATH,
} from "./grpc/health.js";
import { parseGrpcTarget } from "./grpc/target.js";
import { CheckSetupError, defineProbe } from "./probe.js";

/** RST_STREAM codes as gRPC's clients map them to a status (REFUSED_STREAM, CANCEL …); others INTERNAL. */
const RST_CODES: Record<number, number> = { 7: GRPC_UNAVAILABLE, 8: 1, 11: 8, 12: 7 };

export const grpcProbe = defineProbe<GrpcConfig>({
  kind: "grpc",
  target: (cfg) => cfg.target,
  async run(cfg, ctx): Promise<Observation> {
    const address = parseGrpcTarget(cfg.target, cfg.tls);
    if (!address) return failed("target is not host:port after resolving references", {});
    const where = hostPort(address.host, address.port);
    const ca = cfg.tls ? await readCa(ctx.baseDir, cfg.ca) : undefined;
    const client = cfg.tls ? await readClientIdentity(ctx.baseDir, cfg.clientCert, cfg.clientKey) : undefined;
    const phases: Partial<Record<Phase, number>> = {};
    const facts: Facts = {};
    const started = performance.now();
    let socket: Awaited<ReturnType<typeof connect>> | undefined;
    try {
      socket = await connect(
        {
          ...address,
          ...(cfg.proxy !== undefined ? { proxy: cfg.proxy } : {}),
          ...(cfg.tls
            ? {
                tls: {
                  serverName: cfg.serverName,
                  ca,
                  insecure: cfg.insecure,
                  alpn: ["h2"],
                  ...(client ? { client } : {}),
                },
              }
            : {}),
        },
        phases,
        facts,
        ctx,
      );
    } catch (error) {
      // An unusable proxy setting, certificate or key is the check's setup, not the target's failure.
      if (ctx.signal.aborted || error instanceof CheckSetupError) throw error;
      // blackbox's client could not dial: UNAVAILABLE, as grpc-go reports it; nothing if the name never resolved.
      if (facts.resolved) facts.grpc = { statusCode: GRPC_UNAVAILABLE, ssl: false };
      return failed(describeNetworkError(error, where), facts, phases);
    }
    const readyAt = performance.now();
    try {
      const alpn = cfg.tls ? (socket as import("node:tls").TLSSocket).alpnProtocol : "h2";
      if (alpn !== "h2") {
        facts.grpc = { statusCode: GRPC_UNAVAILABLE, ssl: false };
        return failed(
          `${where} did not agree to HTTP/2 over TLS (ALPN ${alpn ? quote(alpn) : "none"}), so it cannot serve gRPC`,
          facts,
          phases,
        );
      }
      ctx.stage(`waiting for the health response from ${where}`);
      let response: UnaryResponse;
      try {
        response = await unaryCall(
          socket,
          {
            authority: where,
            secure: cfg.tls,
            path: HEALTH_CHECK_PATH,
            metadata: cfg.metadata,
            userAgent: USER_AGENT,
            message: encodeHealthRequest(cfg.service),
          },
          ctx.signal,
          () => ctx.stage(`reading the health response from ${where}`),
        );
      } catch (error) {
        if (ctx.signal.aborted) throw error;
        const transport = error as TransportError;
        const code =
          transport.rstCode !== undefined
            ? (RST_CODES[transport.rstCode] ?? GRPC_INTERNAL)
            : GRPC_UNAVAILABLE;
        facts.grpc = { statusCode: code, ssl: false };
        phases.processing = performance.now() - readyAt;
        return failed(transportReason(transport, where, code), facts, phases);
      }
      phases.processing = performance.now() - readyAt;
      const elapsedMs = performance.now() - started;
      const answer = interpret(response, cfg.service, where);
      facts.grpc = {
        statusCode: answer.code,
        // blackbox knows the connection's TLS only from a call that succeeded.
        ssl: cfg.tls && answer.code === GRPC_OK,
        ...(answer.serving ? { servingStatus: answer.serving } : {}),
      };
      const conditions: Condition[] = [];
      if (answer.failure) conditions.push({ ok: false, effect: "fail", text: answer.failure });
      else {
        const ok = answer.serving === cfg.expect.status;
        conditions.push({
          ok,
          effect: "fail",
          text: `${subject(cfg.service)} is ${answer.serving}${ok || cfg.expect.status === "SERVING" ? "" : `, expected ${cfg.expect.status}`}`,
        });
      }
      conditions.push(...latencyConditions(elapsedMs, cfg.expect.latency));
      return { conditions, summary: `${subject(cfg.service)} is ${answer.serving}`, phases, facts };
    } finally {
      socket.destroy();
    }
  },
});

function subject(service: string): string {
  return service === "" ? "the server" : `service ${quote(service)}`;
}

function failed(text: string, facts: Facts, phases?: Partial<Record<Phase, number>>): Observation {
  return {
    conditions: [{ ok: false, effect: "fail", text }],
    summary: "",
    ...(phases ? { phases } : {}),
    facts,
  };
}

/** The status code, the serving status when the call succeeded, or why it did not. */
function interpret(
  response: UnaryResponse,
  service: string,
  where: string,
): { code: number; serving?: string; failure?: string } {
  const grpcContent = /^application\/grpc(\+|;|$)/.test(response.contentType);
  if (response.httpStatus !== 200 && (response.grpcStatus === undefined || !grpcContent)) {
    const code = codeForHttpStatus(response.httpStatus);
    return {
      code,
      failure: `${grpcCodeName(code)}: ${where} answered HTTP status ${response.httpStatus}, not gRPC`,
    };
  }
  if (!grpcContent)
    return {
      code: GRPC_INTERNAL,
      failure: `INTERNAL: ${where} answered content-type ${quote(response.contentType)}, not gRPC`,
    };
  if (response.grpcStatus === undefined)
    return { code: GRPC_INTERNAL, failure: `INTERNAL: ${where} sent no grpc-status` };
  const code = response.grpcStatus;
  if (code !== GRPC_OK) return { code, failure: statusReason(code, response.grpcMessage, service) };
  if (response.compressed)
    return {
      code: GRPC_INTERNAL,
      failure: "INTERNAL: the health response was compressed, though no encoding was offered",
    };
  if (!response.message || response.truncated)
    return {
      code: GRPC_INTERNAL,
      failure: `INTERNAL: ${where} ended the call without a whole health response`,
    };
  try {
    return { code, serving: decodeHealthResponse(response.message) };
  } catch {
    return { code: GRPC_INTERNAL, failure: `INTERNAL: ${where} sent a health response that is not protobuf` };
  }
}

function statusReason(code: number, message: string | undefined, service: string): string {
  const name = grpcCodeName(code);
  if (code === GRPC_UNIMPLEMENTED) return `${name}: the server has no health service`;
  if (code === GRPC_NOT_FOUND && service !== "")
    return `${name}: the server does not know service ${quote(service)}`;
  return message ? `${name}: ${clip(message, 200, "...")}` : `${name} from the health service`;
}

function transportReason(error: TransportError, where: string, code: number): string {
  if (error.rstCode !== undefined)
    return `${grpcCodeName(code)}: ${where} reset the call (HTTP/2 error ${error.rstCode})`;
  if (error.code === "ERR_TOO_LARGE") return `RESOURCE_EXHAUSTED: ${where} ${error.message}`;
  if (error.code?.startsWith("ERR_HTTP2") || error.code === "ERR_RESPONSE_INCOMPLETE")
    return `${where} did not answer with HTTP/2 (${error.message})`;
  return describeNetworkError(error, where);
}
