/**
 * The dns probe asks one server one question, over UDP (TCP when the answer was truncated), and
 * reads every section of the answer: blackbox_exporter's DNS prober, series for series.
 */
import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import type { DnsFacts, Observation } from "../result.js";
import type { DnsConfig, RecordType } from "./config/dns.js";
import { dnsServer, formatServer, parseResolver } from "./dns-address.js";
import { answerConditions, sameName, showAnswers } from "./expect/answers.js";
import { defineProbe, type ProbeContext } from "./probe.js";

/** Largest answer read over TCP: the protocol's own limit. */
const MAX_TCP_MESSAGE = 65_535;

/** A decoded answer, with the flags dns-packet reads but does not declare. */
type Response = Packet & { rcode?: string; flag_tc?: boolean };

interface Exchange {
  response: Response;
  /** Setting up the socket (a TCP connect when the answer was truncated), ms. */
  connectMs: number;
  /** From sending the question to the answer, ms. */
  requestMs: number;
}

/** One question to one server; answers whose id, source or question differ are ignored (spoofing, strays). */
async function exchange(
  server: { host: string; port: number },
  name: string,
  type: RecordType,
  ednsBufferSize: number | false,
  ctx: ProbeContext,
): Promise<Exchange> {
  const id = randomInt(0, 65_536);
  const query = dnsPacket.encode({
    type: "query",
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name }],
    // EDNS0: answers up to this size come over UDP; a larger one is truncated and asked over TCP.
    ...(ednsBufferSize === false
      ? {}
      : { additionals: [{ type: "OPT", name: ".", udpPayloadSize: ednsBufferSize, flags: 0, options: [] }] }),
  } as Packet);
  const matches = (packet: Packet) =>
    packet.id === id &&
    packet.type === "response" &&
    packet.questions?.[0]?.type === type &&
    sameName(packet.questions[0].name, name);
  const udp = await overUdp(server, query, matches, ctx);
  if (!udp.response.flag_tc) return udp;
  ctx.stage(`asking ${formatServer(server)} again over TCP (the UDP answer was truncated)`);
  try {
    return await overTcp(server, query, matches, ctx);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw new TruncatedError(error);
  }
}

/** The UDP answer was truncated and asking again over TCP failed: the reason says both. */
class TruncatedError extends Error {
  override name = "TruncatedError";
  constructor(readonly tcpError: unknown) {
    super("the UDP answer was truncated and the TCP retry failed", { cause: tcpError });
  }
}

/**
 * How an exchange ends, exactly once (an error may follow an answer, ICMP for a late packet, and
 * closing a UDP socket twice throws): the socket closed, the abort listener gone, the promise settled.
 * An abort of the probe ends it too.
 */
function settleOnce(
  ctx: ProbeContext,
  close: () => void,
  resolve: (outcome: Exchange) => void,
  reject: (error: Error) => void,
): (error: Error | undefined, outcome?: Exchange) => void {
  let done = false;
  const finish = (error: Error | undefined, outcome?: Exchange) => {
    if (done) return;
    done = true;
    ctx.signal.removeEventListener("abort", onAbort);
    close();
    if (error) reject(error);
    else resolve(outcome as Exchange);
  };
  const onAbort = () => finish(ctx.signal.reason ?? new Error("aborted"));
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  return finish;
}

/** One way of putting the question: over UDP, or over TCP when the UDP answer was truncated. */
type Ask = (
  server: { host: string; port: number },
  query: Buffer,
  matches: (packet: Packet) => boolean,
  ctx: ProbeContext,
) => Promise<Exchange>;

const overUdp: Ask = (server, query, matches, ctx) =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    let sentAt = 0;
    let malformed = false;
    const socket = dgram.createSocket(net.isIPv6(server.host) ? "udp6" : "udp4");
    const finish = settleOnce(ctx, () => socket.close(), resolve, reject);
    socket.on("error", (error) => finish(error));
    socket.on("message", (message, peer) => {
      if (peer.port !== server.port || !sameAddress(peer.address, server.host)) return;
      let packet: Packet;
      try {
        packet = dnsPacket.decode(message);
      } catch {
        if (!malformed)
          ctx.stage(`waiting for a valid answer from ${formatServer(server)} (it sent a malformed one)`);
        malformed = true;
        return;
      }
      if (!matches(packet)) return;
      const connectMs = sentAt - started;
      finish(undefined, { response: packet, connectMs, requestMs: performance.now() - sentAt });
    });
    socket.connect(server.port, server.host, () => {
      sentAt = performance.now();
      socket.send(query, (error) => {
        if (error) finish(error);
      });
    });
  });

const overTcp: Ask = (server, query, matches, ctx) =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    let sentAt = 0;
    let received = Buffer.alloc(0);
    const socket = net.connect({ host: server.host, port: server.port });
    const finish = settleOnce(ctx, () => socket.destroy(), resolve, reject);
    socket.on("error", (error) => finish(error));
    socket.once("connect", () => {
      sentAt = performance.now();
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 2) {
        const size = received.readUInt16BE(0);
        if (received.length < 2 + size) break;
        const message = received.subarray(2, 2 + size);
        received = received.subarray(2 + size);
        let packet: Packet;
        try {
          packet = dnsPacket.decode(message);
        } catch {
          return finish(Object.assign(new Error("malformed answer"), { code: "EBADRESP" }));
        }
        if (matches(packet))
          return finish(undefined, {
            response: packet,
            connectMs: sentAt - started,
            requestMs: performance.now() - sentAt,
          });
      }
      if (received.length > MAX_TCP_MESSAGE + 2)
        finish(Object.assign(new Error("answer too long"), { code: "EBADRESP" }));
    });
    socket.once("end", () =>
      finish(Object.assign(new Error("closed without an answer"), { code: "ECONNRESET" })),
    );
  });

function sameAddress(a: string, b: string): boolean {
  return a.replace(/^::ffff:/i, "").toLowerCase() === b.replace(/^::ffff:/i, "").toLowerCase();
}

/** A record of the asked type as the expectations compare it: `10 mx.example`, TXT strings joined. */
function formatRecord(record: Answer): string {
  const data = (record as { data: unknown }).data;
  switch (record.type) {
    case "MX": {
      const mx = data as { preference: number; exchange: string };
      return `${mx.preference} ${mx.exchange}`;
    }
    case "TXT":
      return (Array.isArray(data) ? data : [data])
        .map((chunk) => Buffer.from(chunk as Buffer).toString("utf8"))
        .join("");
    case "SOA": {
      const soa = data as {
        mname: string;
        rname: string;
        serial: number;
        refresh: number;
        retry: number;
        expire: number;
        minimum: number;
      };
      return `${soa.mname} ${soa.rname} ${soa.serial} ${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
    }
    default:
      return String(data);
  }
}

function describeDnsError(error: unknown, name: string, server: string): string {
  if (error instanceof TruncatedError)
    return `the UDP answer from ${server} for ${name} was truncated, and asking again over TCP failed: ${describeDnsError(error.tcpError, name, server)}`;
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused by resolver ${server}`;
    case "EBADRESP":
      return `${server} sent a malformed answer for ${name}`;
    case "ECONNRESET":
      return `${server} closed the connection without answering ${name}`;
    default:
      return `asking ${server} for ${name} failed: ${(error as Error).message}`;
  }
}

/** A response code that is not NOERROR, as a condition. */
function rcodeText(rcode: string, name: string, type: RecordType, server: string): string {
  switch (rcode) {
    case "NXDOMAIN":
      return `${name} does not exist (NXDOMAIN from ${server})`;
    case "SERVFAIL":
      return `${server} answered SERVFAIL for ${name}`;
    case "REFUSED":
      return `${server} refused the query for ${name}`;
    default:
      return `${server} answered ${rcode} for ${name} ${type}`;
  }
}

export const dnsProbe = defineProbe<DnsConfig>({
  kind: "dns",
  target: (cfg) => `${cfg.name} ${cfg.type}${cfg.resolver ? ` @${cfg.resolver}` : ""}`,
  instance: (cfg) => dnsServer(cfg.resolver),
  async run(cfg, ctx): Promise<Observation> {
    const address = dnsServer(cfg.resolver);
    const server = parseResolver(address) ?? { host: address, port: 53 };
    const shownServer = formatServer(server);
    ctx.stage(`waiting for ${shownServer} to answer ${cfg.name} ${cfg.type}`);
    const resolved = {
      address: server.host,
      family: (net.isIPv6(server.host) ? 6 : 4) as 4 | 6,
      lookupMs: 0,
    };
    const unanswered: DnsFacts = { answered: false, answerRrs: 0, authorityRrs: 0, additionalRrs: 0 };
    let outcome: Exchange;
    try {
      outcome = await exchange(server, cfg.name, cfg.type, cfg.ednsBufferSize, ctx);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return {
        conditions: [{ ok: false, effect: "fail", text: describeDnsError(error, cfg.name, shownServer) }],
        summary: "",
        facts: { resolved, dns: unanswered },
      };
    }
    const { response } = outcome;
    const phases = { resolve: 0, connect: outcome.connectMs, processing: outcome.requestMs };
    const rcode = response.rcode ?? "NOERROR";
    const soa = (response.answers ?? []).find((r) => r.type === "SOA") as
      | { data?: { serial?: number } }
      | undefined;
    const dns: DnsFacts = {
      answered: true,
      rcode,
      answerRrs: response.answers?.length ?? 0,
      authorityRrs: response.authorities?.length ?? 0,
      // The OPT pseudo-record of an EDNS0 answer is no record of the answer: a server asked
      // without EDNS0 (blackbox_exporter's way) would not send it, and the counts stay comparable.
      additionalRrs: (response.additionals ?? []).filter((r) => r.type !== "OPT").length,
      ...(cfg.type === "SOA" ? { serial: soa?.data?.serial ?? 0 } : {}),
    };
    const answers = (response.answers ?? []).filter((r) => r.type === cfg.type).map(formatRecord);
    const facts = { resolved, dns, dnsAnswers: answers };
    if (rcode !== "NOERROR") {
      return {
        conditions: [{ ok: false, effect: "fail", text: rcodeText(rcode, cfg.name, cfg.type, shownServer) }],
        summary: "",
        phases,
        facts,
      };
    }
    if (answers.length === 0 && cfg.expect.count === undefined) {
      return {
        conditions: [
          { ok: false, effect: "fail", text: `${cfg.name} has no ${cfg.type} records (${shownServer})` },
        ],
        summary: "",
        phases,
        facts,
      };
    }
    const conditions = answerConditions(answers, cfg.expect, cfg.type);
    return { conditions, summary: `${cfg.type} ${showAnswers(answers)}`, phases, facts };
  },
});
