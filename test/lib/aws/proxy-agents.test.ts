/**
 * The AWS SDK's calls through a VPC's forward proxy: a real SDK client reaches an endpoint only the
 * proxy knows, https is tunnelled with CONNECT (the endpoint's certificate still checked), NO_PROXY
 * goes direct, and without a proxy in the environment the SDK keeps its own agents.
 */
import { execFile } from "node:child_process";
import https from "node:https";
import path from "node:path";
import { promisify } from "node:util";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkProxy } from "../../../lib/aws/proxy-agents.js";
import { snsStandIn } from "../../support/aws-stand-ins.js";
import { bundle } from "../../support/bundle.js";
import { createTestPki, type TestPki } from "../../support/certs.js";
import { startProxy, type TestProxy } from "../../support/proxy.js";
import { httpsTarget, type Target, tcpTarget } from "../../support/servers.js";

const run = promisify(execFile);
let pki: TestPki;
let proxy: TestProxy;
let secure: Target;
const closing: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  proxy = await startProxy({ hosts: { "sns.vpc.example": "127.0.0.1" }, credentials: "egress:p4ss" });
  secure = await httpsTarget(pki.valid, (_req, res) => res.end("through"));
  closing.push(proxy, secure);
});

afterAll(() => Promise.all(closing.map((c) => c.close())));

function get(url: string, agent: https.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent, ca: pki.caPem }, (res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

describe("the AWS SDK behind a forward proxy", () => {
  it("publishes to an endpoint only the proxy knows, with the proxy's credentials", async () => {
    const sns = await snsStandIn();
    closing.push(sns);
    const env = { HTTP_PROXY: proxy.url.replace("//", "//egress:p4ss@"), NO_PROXY: "localhost" };
    const client = new SNSClient({
      region: "eu-west-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      endpoint: `http://sns.vpc.example:${sns.port}`,
      maxAttempts: 1,
      ...sdkProxy(env),
    });
    const answer = await client.send(
      new PublishBatchCommand({
        TopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
        PublishBatchRequestEntries: [{ Id: "0", Message: "through the proxy" }],
      }),
    );
    expect(answer.Successful).toHaveLength(1);
    expect(sns.published.map((p) => p.message)).toEqual(["through the proxy"]);
    // Tunnelled, as every SDK connection through a proxy is: the request is never rewritten.
    expect(proxy.asked).toContain(`CONNECT sns.vpc.example:${sns.port}`);
    client.destroy();
  });

  it("tunnels https with CONNECT, the endpoint's certificate checked end to end; NO_PROXY goes direct", async () => {
    const env = { HTTPS_PROXY: proxy.url.replace("//", "//egress:p4ss@") };
    const before = proxy.asked.length;
    const viaProxy = sdkProxy(env).requestHandler?.httpsAgent as https.Agent;
    expect(await get(`https://localhost:${secure.port}/`, viaProxy)).toBe("through");
    expect(proxy.asked.slice(before)).toEqual([`CONNECT localhost:${secure.port}`]);

    const direct = sdkProxy({ ...env, NO_PROXY: "localhost" }).requestHandler?.httpsAgent as https.Agent;
    expect(await get(`https://localhost:${secure.port}/`, direct)).toBe("through");
    expect(proxy.asked.slice(before)).toHaveLength(1);

    // A certificate for another name is refused inside the tunnel, as it would be directly.
    const wrong = await httpsTarget(pki.wrongHost, (_req, res) => res.end("never"));
    closing.push(wrong);
    await expect(get(`https://localhost:${wrong.port}/`, viaProxy)).rejects.toThrow(/altnames|hostname/i);
    // A proxy that refuses the tunnel is named with its answer, as the run summary shows it.
    const refused = sdkProxy({ HTTPS_PROXY: proxy.url }).requestHandler?.httpsAgent as https.Agent;
    await expect(get(`https://localhost:${secure.port}/`, refused)).rejects.toThrow(
      `proxy 127.0.0.1:${proxy.port} refused the tunnel to localhost:${secure.port}: 407 Proxy Authentication Required`,
    );
    for (const agent of [viaProxy, direct, refused]) agent.destroy();
  });

  it("gives up on a proxy that never answers CONNECT, naming it", async () => {
    const silent = await tcpTarget((socket) => socket.resume());
    closing.push(silent);
    const agent = sdkProxy({ HTTPS_PROXY: `http://127.0.0.1:${silent.port}` }, 300).requestHandler
      ?.httpsAgent as https.Agent;
    await expect(get(`https://localhost:${secure.port}/`, agent)).rejects.toThrow(
      `proxy 127.0.0.1:${silent.port} did not answer CONNECT localhost:${secure.port} within 300ms`,
    );
    agent.destroy();
  });

  it("keeps the process alive while a slow proxy opens the tunnel, as any request in flight does", async () => {
    const slow = await startProxy({ connectDelayMs: 1_000 });
    closing.push(slow);
    const child = await bundle(path.join(import.meta.dirname, "../../support/sdk-proxy-child.ts"));
    const { stdout } = await run(process.execPath, [child, slow.url, String(secure.port)], {
      timeout: 30_000,
    });
    // A waiting socket that did not hold the process would have let it exit with nothing printed.
    expect(JSON.parse(stdout)).toEqual({ status: 200 });
    expect(slow.asked).toEqual([`CONNECT localhost:${secure.port}`]);
  });

  it("leaves the SDK's own agents alone when the environment names no proxy", () => {
    expect(sdkProxy({})).toEqual({});
    expect(sdkProxy({ NO_PROXY: "*" })).toEqual({});
  });
});
