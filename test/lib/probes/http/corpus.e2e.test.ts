/**
 * A corpus of what real HTTP servers do, each probed by Watchpost, by prometheus-blackbox-exporter
 * and by curl, in one run: the verdicts must agree. Each case writes exact bytes from a raw TCP
 * peer (or serves TLS with the certificate shape it names), and states its verdict; where
 * blackbox_exporter 0.23 is known to say otherwise, the case says why and that is asserted too, so a
 * change on either side shows.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks } from "../../../../lib/engine.js";
import { check } from "../../../support/checks.js";
import { type CorpusPki, createCorpusPki, type ServerIdentity } from "../../../support/corpus-pki.js";
import { type Peer, peerAvailable, startBlackbox } from "../../../support/peers.js";
import { type Target, tcpTarget } from "../../../support/servers.js";

const available =
  peerAvailable("prometheus-blackbox-exporter", "prometheus-blackbox-exporter") &&
  peerAvailable("curl", "curl");

const BODY = "hello from the corpus";
const JSON_BODY = '{"status": "ok", "items": [1, 2]}';
/** Where the raw UTF-8 Location points, as a server reads the request's path: percent-decoded. */
const UTF8_PATH = "/files/my report/résumé.txt";

function decodedPath(target: string): string {
  try {
    return decodeURIComponent(target);
  } catch {
    return target;
  }
}

const ENCODINGS: Record<string, [string, (body: string) => Buffer]> = {
  "/gzip": ["gzip", (body) => zlib.gzipSync(body)],
  "/br": ["br", (body) => zlib.brotliCompressSync(body)],
  "/deflate-raw": ["deflate", (body) => zlib.deflateRawSync(body)],
  "/deflate-zlib": ["deflate", (body) => zlib.deflateSync(body)],
};

/** The paths answered with an encoded body: the compression cases did test decoding. */
const sentEncoded = new Set<string>();

/** Raw responses by request path: what the peer writes, and whether it then closes. */
function answer(path: string, request: string, socket: Socket) {
  // A server that closes after its answer says so, or a client reusing the connection races the close.
  const head = (status: string, headers: string[], eol = "\r\n", keepOpen = false): string =>
    `HTTP/1.1 ${status}${eol}${[...headers, ...(keepOpen ? [] : ["Connection: close"])].map((h) => `${h}${eol}`).join("")}${eol}`;
  const send = (text: string | Buffer, close = true): void => {
    if (close) socket.end(text);
    else socket.write(text);
  };
  const ok = (headers: string[] = [], body = BODY): void =>
    send(head("200 OK", [...headers, `Content-Length: ${Buffer.byteLength(body)}`]) + body);
  const hop = /^\/hop\/(\d+)$/.exec(path);
  if (hop) {
    const left = Number(hop[1]);
    if (left === 0) return ok();
    return send(head("302 Found", [`Location: /hop/${left - 1}`, "Content-Length: 0"]));
  }
  switch (path) {
    case "/bare-lf":
      // Bare LF line ends, and the connection left open as a keep-alive server leaves it.
      return send(
        head("200 OK", ["Content-Type: text/plain", `Content-Length: ${BODY.length}`], "\n", true) + BODY,
        false,
      );
    case "/obs-fold":
      return send(
        `HTTP/1.1 200 OK\r\nX-Policy: a=1;\r\n b=2\r\nConnection: close\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`,
      );
    case "/cookies":
      return ok(["Set-Cookie: theme=dark", "Set-Cookie: session=abc123; HttpOnly"]);
    case "/gzip":
    case "/br":
    case "/deflate-raw":
    case "/deflate-zlib": {
      // Encoded as a real server encodes: only when the request asks for it.
      const [name, encode] = ENCODINGS[path] as [string, (body: string) => Buffer];
      const asked = new RegExp(`^accept-encoding:.*\\b${name}\\b`, "im").test(request);
      const body = asked ? encode(BODY) : Buffer.from(BODY);
      if (asked) sentEncoded.add(path);
      return send(
        Buffer.concat([
          Buffer.from(
            head("200 OK", [
              ...(asked ? [`Content-Encoding: ${name}`] : []),
              `Content-Length: ${body.length}`,
            ]),
          ),
          body,
        ]),
      );
    }
    case "/gzip-always": {
      const body = zlib.gzipSync(BODY);
      return send(
        Buffer.concat([
          Buffer.from(head("200 OK", ["Content-Encoding: gzip", `Content-Length: ${body.length}`])),
          body,
        ]),
      );
    }
    case "/bom-json": {
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON_BODY)]);
      return send(
        Buffer.concat([
          Buffer.from(head("200 OK", ["Content-Type: application/json", `Content-Length: ${body.length}`])),
          body,
        ]),
      );
    }
    case "/utf8-location":
      return send(
        Buffer.concat([
          Buffer.from("HTTP/1.1 302 Found\r\nLocation: /files/my report/"),
          Buffer.from("résumé.txt"),
          Buffer.from("\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
        ]),
      );
    case UTF8_PATH:
      return ok();
    case "/continue":
      socket.write("HTTP/1.1 100 Continue\r\n\r\n");
      setTimeout(() => ok(), 200);
      return;
    case "/big-cookie":
      return ok([`Set-Cookie: big=${"c".repeat(12 * 1024)}`]);
    case "/many-headers":
      return ok(Array.from({ length: 100 }, (_, i) => `X-Header-${i}: value ${i}`));
    case "/keep-alive":
      return send(head("200 OK", [`Content-Length: ${BODY.length}`], "\r\n", true) + BODY, false);
    case "/http10":
      return send(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n${BODY}`);
    case "/slow":
      setTimeout(() => ok(), 500);
      return;
    case "/head":
      return send(head("200 OK", ["Content-Length: 1000"]));
    case "/204":
      return send(head("204 No Content", []));
    case "/304":
      return send(head("304 Not Modified", ['ETag: "v1"']));
    case "/two-lengths":
      return send(`${head("200 OK", ["Content-Length: 3", "Content-Length: 4"])}abcd`);
    default:
      return send(head("404 Not Found", ["Content-Length: 0"]));
  }
}

/** A peer that reads one request head and answers it by path. */
function rawPeer(): Promise<Target> {
  return tcpTarget((socket) => {
    let request = "";
    const onData = (data: Buffer) => {
      request += data.toString("latin1");
      if (!request.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      answer(decodedPath(request.split(" ")[1] ?? "/"), request, socket);
    };
    socket.on("data", onData);
  });
}

/** An HTTPS server answering 200 with BODY, with its own identity and TLS limits. */
async function tlsPeer(
  identity: ServerIdentity,
  host: string,
  options: https.ServerOptions = {},
): Promise<Target> {
  const server = https.createServer({ ...identity, ...options }, (_req, res) =>
    res.writeHead(200, { "content-type": "text/plain" }).end(BODY),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    socket.on("error", () => {});
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Case {
  name: string;
  /** Path on the raw peer, or a TLS peer's name and path. */
  url: () => string;
  /** The check's `http:` fields beyond `url`. */
  watchpost?: Record<string, unknown>;
  /** The blackbox module's `http:` fields. */
  blackbox?: Record<string, unknown>;
  /** curl's arguments beyond the common ones, and what its body must match. */
  curl?: string[];
  curlBody?: RegExp;
  /** Statuses curl's answer may have (blackbox and Watchpost say theirs in their own fields). */
  curlStatus?: (status: number) => boolean;
  up: boolean;
  /** Why blackbox_exporter 0.23 gives the other verdict, when it does. */
  blackboxDiffers?: string;
  /** Why curl gives the other verdict, when it does. */
  curlDiffers?: string;
}

let pki: CorpusPki;
let dir: string;
let blackbox: Peer;
let raw: Target;
const tls: Record<string, Target> = {};

const at = (route: string) => () => `${raw.url.replace("tcp:", "http:")}${route}`;
const over =
  (peer: string, route = "/") =>
  () =>
    `${tls[peer]?.url}${route}`;

const cases: Case[] = [
  // What was down here and up for blackbox_exporter and curl (issue 26).
  { name: "bare LF line ends, connection kept open", url: at("/bare-lf"), up: true },
  {
    name: "obs-fold continuation line",
    url: at("/obs-fold"),
    watchpost: { expect: { headers: { "X-Policy": { matches: "a=1; b=2" } } } },
    blackbox: { fail_if_header_not_matches: [{ header: "X-Policy", regexp: "a=1; b=2" }] },
    up: true,
  },
  {
    name: "a header sent twice, the second occurrence matching",
    url: at("/cookies"),
    watchpost: { expect: { headers: { "Set-Cookie": { matches: "^session=" } } } },
    blackbox: { fail_if_header_not_matches: [{ header: "Set-Cookie", regexp: "^session=" }] },
    up: true,
  },
  {
    name: "Accept-Encoding: gzip with a body assertion",
    url: at("/gzip"),
    watchpost: { headers: { "Accept-Encoding": "gzip" }, expect: { bodyContains: ["hello from"] } },
    blackbox: {
      compression: "gzip",
      headers: { "Accept-Encoding": "gzip" },
      fail_if_body_not_matches_regexp: ["hello from"],
    },
    curl: ["--compressed"],
    curlBody: /hello from/,
    up: true,
  },
  {
    name: "compression: gzip with a body assertion",
    url: at("/gzip"),
    watchpost: { compression: "gzip", expect: { bodyMatches: "hello from" } },
    blackbox: {
      compression: "gzip",
      headers: { "Accept-Encoding": "gzip" },
      fail_if_body_not_matches_regexp: ["hello from"],
    },
    curl: ["--compressed"],
    curlBody: /hello from/,
    up: true,
  },
  ...(["br", "deflate"] as const).map(
    (name): Case => ({
      name: `Accept-Encoding: ${name} with a body assertion (raw DEFLATE for deflate)`,
      url: at(name === "br" ? "/br" : "/deflate-raw"),
      watchpost: { headers: { "Accept-Encoding": name }, expect: { bodyContains: ["hello from"] } },
      blackbox: {
        compression: name,
        headers: { "Accept-Encoding": name },
        fail_if_body_not_matches_regexp: ["hello from"],
      },
      curl: ["--compressed"],
      curlBody: /hello from/,
      up: true,
    }),
  ),
  {
    name: "deflate as RFC 9110 defines it, zlib-wrapped",
    url: at("/deflate-zlib"),
    watchpost: { compression: "deflate", expect: { bodyContains: ["hello from"] } },
    blackbox: {
      compression: "deflate",
      headers: { "Accept-Encoding": "deflate" },
      fail_if_body_not_matches_regexp: ["hello from"],
    },
    curl: ["--compressed"],
    curlBody: /hello from/,
    up: true,
    blackboxDiffers: "blackbox_exporter 0.23 reads deflate as raw DEFLATE only (its flate reader)",
  },
  {
    name: "gzip the check did not ask for, under a body assertion",
    url: at("/gzip-always"),
    watchpost: { expect: { bodyContains: ["hello from"] } },
    blackbox: { fail_if_body_not_matches_regexp: ["hello from"] },
    curlBody: /hello from/,
    up: false,
  },
  {
    name: "JSON after a UTF-8 byte order mark",
    url: at("/bom-json"),
    watchpost: { expect: { json: [{ path: "$.status", equals: "ok" }] } },
    blackbox: { fail_if_body_not_matches_regexp: ['"status":\\s*"ok"'] },
    curlBody: /"status":\s*"ok"/,
    up: true,
  },
  { name: "a Location in raw UTF-8 with a space", url: at("/utf8-location"), up: true },
  { name: "100 Continue before the answer", url: at("/continue"), up: true },
  // What was up already, kept so.
  { name: "a 12 KiB cookie", url: at("/big-cookie"), up: true },
  { name: "100 headers", url: at("/many-headers"), up: true },
  { name: "keep-alive without close", url: at("/keep-alive"), up: true },
  { name: "HTTP/1.0, the body ended by the close", url: at("/http10"), up: true },
  { name: "a slow first byte", url: at("/slow"), up: true },
  { name: "a chain of 10 redirects", url: at("/hop/10"), up: true },
  {
    name: "HEAD with a Content-Length and no body",
    url: at("/head"),
    watchpost: { method: "HEAD" },
    blackbox: { method: "HEAD" },
    curl: ["--head"],
    up: true,
  },
  { name: "204 No Content", url: at("/204"), up: true },
  {
    name: "304 Not Modified, expected",
    url: at("/304"),
    watchpost: { expect: { status: [304] } },
    blackbox: { valid_status_codes: [304] },
    curlStatus: (status) => status === 304,
    up: true,
  },
  { name: "TLS 1.2 only", url: over("tls12"), up: true },
  { name: "an RSA-4096 key", url: over("rsa4096"), up: true },
  { name: "an ECDSA P-384 key", url: over("p384"), up: true },
  { name: "intermediates sent out of order", url: over("outOfOrder"), up: true },
  { name: "[::1]", url: over("ipv6"), blackbox: { preferred_ip_protocol: "ip6" }, up: true },
  // Strict where a response could be read two ways.
  {
    name: "two different Content-Lengths",
    url: at("/two-lengths"),
    up: false,
    curlDiffers: "curl 7.88 reads the body by the last Content-Length; Go and Watchpost refuse the response",
  },
];

beforeAll(async () => {
  if (!available) return;
  pki = await createCorpusPki();
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-corpus-"));
  await writeFile(path.join(dir, "ca.pem"), pki.caPem);
  raw = await rawPeer();
  tls.tls12 = await tlsPeer(pki.plain, "127.0.0.1", { maxVersion: "TLSv1.2" });
  tls.rsa4096 = await tlsPeer(pki.rsa4096, "127.0.0.1");
  tls.p384 = await tlsPeer(pki.p384, "127.0.0.1");
  tls.outOfOrder = await tlsPeer(pki.outOfOrder, "127.0.0.1");
  tls.ipv6 = await tlsPeer(pki.plain, "::1");
  const modules = Object.fromEntries(
    cases.map((c, i) => [
      `case${i}`,
      {
        prober: "http",
        timeout: "10s",
        http: {
          preferred_ip_protocol: "ip4",
          tls_config: { ca_file: path.join(dir, "ca.pem") },
          ...c.blackbox,
        },
      },
    ]),
  );
  // JSON is YAML: the modules as blackbox_exporter reads them.
  await writeFile(path.join(dir, "blackbox.yml"), JSON.stringify({ modules }, null, 1));
  blackbox = await startBlackbox(`${dir}/blackbox.yml`);
}, 120_000);

afterAll(async () => {
  await Promise.all([raw, ...Object.values(tls)].map((target) => target?.close()));
  await blackbox?.stop();
});

async function blackboxUp(index: number, target: string): Promise<boolean> {
  const url = `${blackbox.url}/probe?module=case${index}&target=${encodeURIComponent(target)}`;
  const text = await (await fetch(url, { headers: { "X-Prometheus-Scrape-Timeout-Seconds": "11" } })).text();
  const match = /^probe_success (\d)$/m.exec(text);
  if (!match) throw new Error(`no probe_success from blackbox_exporter for ${target}:\n${text}`);
  return match[1] === "1";
}

/** curl's verdict: it fetched (following redirects, as the others do), the status and the body fit. */
async function curlUp(index: number, c: Case): Promise<{ up: boolean; detail: string }> {
  const bodyFile = path.join(dir, `curl-${index}.body`);
  const args = [
    "--silent",
    "--show-error",
    "--location",
    "--max-redirs",
    "10",
    "--max-time",
    "10",
    "--cacert",
    path.join(dir, "ca.pem"),
    "--output",
    bodyFile,
    "--write-out",
    "%{http_code}",
    ...(c.curl ?? []),
    c.url(),
  ];
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) =>
      execFile("curl", args, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
  );
  const status = Number(stdout.trim());
  if (code !== 0) return { up: false, detail: `exit ${code}: ${stderr.trim()}` };
  const statusOk = c.curlStatus ? c.curlStatus(status) : status >= 200 && status < 300;
  const body = await readFile(bodyFile, "latin1").catch(() => "");
  const bodyOk = c.curlBody ? c.curlBody.test(body) : true;
  return { up: statusOk && bodyOk, detail: `status ${status}${bodyOk ? "" : ", body not matching"}` };
}

/** `work` on each item, at most `limit` at once, results in order. */
async function inTurn<T, R>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe.skipIf(!available)("real-server behaviours: Watchpost, blackbox_exporter and curl agree", () => {
  it("on every case of the corpus", async () => {
    const specs = cases.map((c, i) =>
      check(
        { name: `corpus-${i}`, timeout: "5s", http: { url: c.url(), ca: "ca.pem", ...c.watchpost } },
        dir,
      ),
    );
    // One tool at a time, a few probes at once: on a busy two-core machine two dozen curl processes
    // started together can wait seconds for their first byte.
    const ours = await runChecks(specs, { concurrency: 4 });
    const theirs = await inTurn(cases, 4, (c, i) => blackboxUp(i, c.url()));
    const curls = await inTurn(cases, 4, (c, i) => curlUp(i, c));
    const table = cases.map((c, i) => ({
      case: c.name,
      expected: c.up,
      watchpost: ours[i]?.status === "up" || ours[i]?.status === "degraded",
      reason: ours[i]?.reason,
      blackbox: theirs[i],
      curl: curls[i]?.up,
      curlDetail: curls[i]?.detail,
    }));
    const wrong = table.filter(
      (row, i) =>
        row.watchpost !== row.expected ||
        row.curl !== (cases[i]?.curlDiffers ? !row.expected : row.expected) ||
        row.blackbox !== (cases[i]?.blackboxDiffers ? !row.expected : row.expected),
    );
    expect(wrong, JSON.stringify(wrong, null, 1)).toEqual([]);
    expect([...sentEncoded].sort()).toEqual(["/br", "/deflate-raw", "/deflate-zlib", "/gzip"]);
    expect(table.filter((row) => row.expected).length).toBeGreaterThanOrEqual(20);
  }, 300_000);
});
