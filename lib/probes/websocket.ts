/**
 * The websocket probe: the upgrade on a connection of its own (lib/probes/connect.ts: resolve, connect,
 * TLS, timed as every kind's), then `ws` for the protocol: optionally a message sent and the first
 * answer checked, and a clean close. Phases: processing is the upgrade (request sent to 101 received),
 * transfer the wait for the first message.
 */
import type { IncomingMessage } from "node:http";
import type WebSocket from "ws";
import { hostPort } from "../http/proxy.js";
import type { Condition, Facts, Observation, Phase } from "../result.js";
import { clip } from "../text.js";
import { USER_AGENT } from "../version.js";
import { readCa, readClientIdentity } from "./certificate.js";
import type { WebsocketConfig } from "./config/websocket.js";
import { connect } from "./connect.js";
import { describeNetworkError, failedObservation } from "./errors.js";
import { contentConditions } from "./expect/content.js";
import { latencyConditions } from "./expect/latency.js";
import { quote } from "./expect/quote.js";
import { STATUS_TEXT } from "./http/status-text.js";
import { CheckSetupError, defineProbe } from "./probe.js";

/** A message larger than this fails the check (ws closes with 1009): a probe reads a greeting, not a feed. */
const MAX_MESSAGE_BYTES = 1_048_576;
/** How long a healthy check waits for the server's half of the close handshake before it hangs up. */
const CLOSE_WAIT_MS = 1_000;

export const websocketProbe = defineProbe<WebsocketConfig>({
  kind: "websocket",
  target: (cfg) => cfg.url,
  async run(cfg, ctx): Promise<Observation> {
    let url: URL;
    try {
      url = new URL(cfg.url);
      if (url.protocol !== "ws:" && url.protocol !== "wss:") throw new Error("scheme");
    } catch {
      return failedObservation("url is not an absolute ws:// or wss:// URL after resolving references");
    }
    const secure = url.protocol === "wss:";
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || (secure ? 443 : 80));
    const where = hostPort(host, port);
    const ca = secure ? await readCa(ctx.baseDir, cfg.ca) : undefined;
    const client = secure ? await readClientIdentity(ctx.baseDir, cfg.clientCert, cfg.clientKey) : undefined;
    // Loaded by the first websocket check (before any timing), so a run or a function start without
    // one never pays for it.
    const { default: WebSocketClient } = await import("ws");
    const phases: Partial<Record<Phase, number>> = {};
    const facts: Facts = {};
    const started = performance.now();
    let socket: Awaited<ReturnType<typeof connect>>;
    try {
      socket = await connect(
        {
          host,
          port,
          ...(cfg.proxy !== undefined ? { proxy: cfg.proxy } : {}),
          ...(secure
            ? { tls: { ca, insecure: cfg.insecure, alpn: ["http/1.1"], ...(client ? { client } : {}) } }
            : {}),
        },
        phases,
        facts,
        ctx,
      );
    } catch (error) {
      // An unusable proxy setting, certificate or key is the check's setup, not the target's failure.
      if (ctx.signal.aborted || error instanceof CheckSetupError) throw error;
      return { ...failedObservation(describeNetworkError(error, where)), phases, facts };
    }
    const readyAt = performance.now();
    ctx.stage(`waiting for the upgrade from ${where}`);
    // Credentials in the URL go as basic auth, as browsers and curl send them, never in the request line.
    const headers: Record<string, string> = { "user-agent": USER_AGENT, ...cfg.headers };
    if (url.username || url.password) {
      headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
      url.username = "";
      url.password = "";
    }
    const ws = new WebSocketClient(url, cfg.subprotocols ?? [], {
      createConnection: () => socket,
      headers,
      perMessageDeflate: false,
      followRedirects: false,
      maxPayload: MAX_MESSAGE_BYTES,
    });
    // Errors are read where they matter (the upgrade, the first message); one after those is no crash.
    ws.on("error", () => {});
    const abandon = () => ws.terminate();
    ctx.signal.addEventListener("abort", abandon, { once: true });
    // Listening from the start: a server may push its first message in the same packet as the 101.
    const first = firstMessage(ws);
    first.catch(() => {});
    try {
      const upgrade = await upgraded(ws, cfg.subprotocols);
      const upgradedAt = performance.now();
      phases.processing = upgradedAt - readyAt;
      facts.websocket = { status: upgrade.status, ...(ws.protocol ? { subprotocol: ws.protocol } : {}) };
      if (upgrade.status !== 101 || upgrade.failure) {
        const expected = upgrade.status === cfg.expect.status && !upgrade.failure;
        const text = upgrade.failure
          ? upgrade.failure(where)
          : `status ${upgrade.status}${expected ? "" : `, expected ${cfg.expect.status}`}`;
        return {
          conditions: [
            { ok: expected, effect: "fail", text },
            ...latencyConditions(upgradedAt - started, cfg.expect.latency),
          ],
          summary: `status ${upgrade.status} ${STATUS_TEXT[upgrade.status] ?? ""}`.trim(),
          phases,
          facts,
        };
      }
      const conditions: Condition[] = [];
      if (cfg.expect.status !== 101)
        conditions.push({ ok: false, effect: "fail", text: `status 101, expected ${cfg.expect.status}` });
      let summary = `upgraded${ws.protocol ? ` to ${quote(ws.protocol)}` : ""}`;
      if (cfg.send !== undefined || cfg.expect.message) {
        if (cfg.send !== undefined) ws.send(cfg.send);
        ctx.stage(`waiting for a message from ${where}`);
        const answer = await first;
        phases.transfer = Math.max(0, answer.at - upgradedAt);
        if ("closed" in answer) {
          conditions.push({
            ok: false,
            effect: "fail",
            text: `${where} closed the connection (${describeClose(answer.closed)}) before sending a message`,
          });
        } else {
          facts.websocket.message = clip(answer.text, 1024, "...");
          const content = cfg.expect.message
            ? contentConditions("message", answer.text, cfg.expect.message)
            : [];
          facts.contentMismatch = content.some((c) => !c.ok);
          conditions.push(...content);
          summary += `, answered ${quote(answer.text)}`;
        }
      }
      conditions.push(...latencyConditions(performance.now() - started, cfg.expect.latency));
      ctx.stage(`closing the connection to ${where}`);
      facts.websocket.closedCleanly = await closed(ws);
      return { conditions, summary, phases, facts };
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return { ...failedObservation(describeNetworkError(error, where)), phases, facts };
    } finally {
      ctx.signal.removeEventListener("abort", abandon);
      ws.terminate();
      socket.destroy();
    }
  },
});

interface Upgrade {
  status: number;
  /** Why a 101 was not accepted (a subprotocol not offered, a wrong accept key …). */
  failure?: (where: string) => string;
}

/** The upgrade's outcome: 101 accepted, another status, or a 101 that ws refused (and why). */
function upgraded(ws: WebSocket, offered: readonly string[] | undefined): Promise<Upgrade> {
  return new Promise<Upgrade>((resolve, reject) => {
    let response: IncomingMessage | undefined;
    ws.once("upgrade", (received: IncomingMessage) => {
      response = received;
    });
    ws.once("unexpected-response", (request, received: IncomingMessage) => {
      request.destroy();
      resolve({ status: received.statusCode ?? 0 });
    });
    ws.once("open", () => resolve({ status: 101 }));
    ws.once("error", (error: Error) => {
      if (!response) return reject(error);
      const chosen = response.headers["sec-websocket-protocol"];
      const asked = offered?.length ? `one of ${offered.map((p) => quote(p)).join(", ")}` : "";
      resolve({
        status: 101,
        failure: (where) =>
          /subprotocol/.test(error.message)
            ? chosen === undefined
              ? `${where} chose no subprotocol, expected ${asked}`
              : offered?.length
                ? `${where} chose subprotocol ${quote(chosen)}, expected ${asked}`
                : `${where} chose subprotocol ${quote(chosen)}, though none was offered`
            : `${where} sent an invalid upgrade (${error.message})`,
      });
    });
  });
}

/** The first message as text, or how the connection closed before one came; `at`, when. */
function firstMessage(
  ws: WebSocket,
): Promise<({ text: string } | { closed: { code: number; reason: string } }) & { at: number }> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const at = performance.now();
      ws.off("close", onClose);
      ws.off("error", reject);
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      resolve({ text: bytes.toString("utf8"), at });
    };
    const onClose = (code: number, reason: Buffer) => {
      ws.off("message", onMessage);
      resolve({ closed: { code, reason: reason.toString("utf8") }, at: performance.now() });
    };
    ws.once("message", onMessage);
    ws.once("close", onClose);
    ws.once("error", reject);
  });
}

/** Closes with 1000 and waits a moment for the server's close frame: true when it came. */
function closed(ws: WebSocket): Promise<boolean> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS);
    ws.once("close", (code: number) => {
      clearTimeout(timer);
      resolve(code === 1000);
    });
    ws.close(1000);
  });
}

function describeClose(close: { code: number; reason: string }): string {
  return `code ${close.code}${close.reason ? ` ${quote(clip(close.reason, 120, "..."))}` : ""}`;
}
