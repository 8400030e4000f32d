/**
 * The Alertmanager channel against the real Alertmanager from Debian (prometheus-alertmanager),
 * through `watchpost run --channels`: a FIRING shows in `GET /api/v2/alerts` and is routed to the
 * receiver with its labels; an amtool silence on `check="x"` keeps the receiver quiet about x while
 * Watchpost keeps posting it; the other member of the HA set gets every post; RESOLVED ends it.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../../lib/cli/main.js";
import { stream } from "../../../support/cli.js";
import { freePort, type Peer, peerAvailable, startPeer } from "../../../support/peers.js";
import { httpTarget, type Target } from "../../../support/servers.js";

const available = peerAvailable("prometheus-alertmanager", "prometheus-alertmanager");

interface AmWebhook {
  status: "firing" | "resolved";
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}
interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string; silencedBy: string[] };
}

let dir: string;
let am: Peer;
let service: Target;
let receiver: Target;
let replica: Target;
const notified: AmWebhook[] = [];
const replicaPosts: { authorization: string | undefined; alerts: AmAlert[] }[] = [];
const health = { x: false, y: false };

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function alerts(): Promise<AmAlert[]> {
  return (await fetch(`${am.url}/api/v2/alerts?active=true&silenced=true&inhibited=true`)).json() as Promise<
    AmAlert[]
  >;
}

async function run(): Promise<{ code: number; out: string }> {
  const stdout = stream();
  const stderr = stream();
  const code = await main(
    [
      "run",
      "--checks",
      path.join(dir, "checks.yml"),
      "--channels",
      path.join(dir, "channels.yml"),
      "--state",
      path.join(dir, "state.json"),
    ],
    { stdout, stderr },
  );
  return { code, out: stdout.text() + stderr.text() };
}

beforeAll(async () => {
  if (!available) return;
  dir = await mkdtemp(path.join(tmpdir(), "watchpost-am-"));
  service = await httpTarget((req, res) => {
    const name = (req.url ?? "").slice(1) as "x" | "y";
    res.writeHead(health[name] ? 200 : 503).end();
  });
  receiver = await httpTarget((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      notified.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  replica = await httpTarget((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      replicaPosts.push({ authorization: req.headers.authorization, alerts: JSON.parse(body) });
      res.writeHead(200).end();
    });
  });
  const port = await freePort();
  await writeFile(
    path.join(dir, "alertmanager.yml"),
    `route:
  receiver: hook
  group_by: [alertname, check]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: ${receiver.url}/am
        send_resolved: true
`,
  );
  am = await startPeer(
    "prometheus-alertmanager",
    [
      `--config.file=${path.join(dir, "alertmanager.yml")}`,
      `--storage.path=${path.join(dir, "am-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    port,
    "/-/ready",
  );
  process.env.WATCHPOST_TEST_AM = am.url;
  process.env.WATCHPOST_TEST_AM_REPLICA = `http://probe:s3cret-pass@127.0.0.1:${replica.port}/`;
  await writeFile(
    path.join(dir, "checks.yml"),
    `defaults:
  interval: 1m
  alert: { failAfter: 1, confirmAfter: false, runbook: "https://runbooks.example/checks" }
checks:
  - name: x
    http: { url: "${service.url}/x" }
    labels: { team: payments }
  - name: y
    http: { url: "${service.url}/y" }
    labels: { team: search }
`,
  );
  await writeFile(
    path.join(dir, "channels.yml"),
    `channels:
  - alertmanager:
      - \${env:WATCHPOST_TEST_AM}
      - \${env:WATCHPOST_TEST_AM_REPLICA}
`,
  );
}, 60_000);

afterAll(async () => {
  delete process.env.WATCHPOST_TEST_AM;
  delete process.env.WATCHPOST_TEST_AM_REPLICA;
  await Promise.all([am?.stop(), service?.close(), receiver?.close(), replica?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!available)("the Alertmanager channel, against the real Alertmanager", () => {
  it("routes FIRING with its labels, is silenced by amtool while still posted, and ends on RESOLVED", async () => {
    // A silence on check="x", made the way an on-call engineer makes it.
    const silence = spawnSync(
      "amtool",
      [
        `--alertmanager.url=${am.url}`,
        "silence",
        "add",
        'check="x"',
        "--comment=maintenance of x",
        "--author=test",
        "--duration=1h",
      ],
      { encoding: "utf8" },
    );
    expect(silence.status, silence.stderr).toBe(0);
    const silenceId = silence.stdout.trim();

    // Both fail: two FIRINGs posted.
    const first = await run();
    expect(first.code, first.out).toBe(1);
    const firing = await waitFor("both alerts in Alertmanager", async () => {
      const active = await alerts();
      return active.length === 2 ? active : undefined;
    });
    const x = firing.find((a) => a.labels.check === "x") as AmAlert;
    expect(x.labels).toEqual({
      alertname: "WatchpostCheckFailing",
      check: "x",
      kind: "http",
      severity: "critical",
      location: "local",
      team: "payments",
    });
    expect(x.annotations.summary).toMatch(/^status 503, expected 2xx/);
    expect(x.annotations.runbook_url).toBe("https://runbooks.example/checks");
    expect(x.annotations.dedupKey).toMatch(/^x\/.+\/FIRING$/);
    expect(x.annotations.description).toContain("x has been DOWN since");
    expect(x.status.state).toBe("suppressed");
    expect(x.status.silencedBy).toEqual([silenceId]);
    // The alert lives four intervals (at least 5 minutes) unless posted again.
    const lives = Date.parse(x.endsAt) - Date.now();
    expect(lives).toBeGreaterThan(4 * 60_000);
    expect(lives).toBeLessThanOrEqual(5 * 60_000);

    // y is routed to the receiver with its labels; x, silenced, is not.
    const y = await waitFor("y at the receiver", async () =>
      notified.find((n) => n.alerts.some((a) => a.labels.check === "y")),
    );
    expect(y.status).toBe("firing");
    expect(y.alerts[0]?.labels).toMatchObject({ check: "y", team: "search", severity: "critical" });

    // Still failing: nothing new is decided, but both are posted again (x still silenced).
    const postsBefore = replicaPosts.length;
    const second = await run();
    expect(second.code, second.out).toBe(1);
    expect(replicaPosts.length).toBeGreaterThan(postsBefore);
    expect(
      replicaPosts
        .at(-1)
        ?.alerts.map((a) => a.labels.check)
        .sort(),
    ).toEqual(["x", "y"]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(notified.some((n) => n.alerts.some((a) => a.labels.check === "x"))).toBe(false);

    // The other member of the HA set got every post, credentials from its URL as basic auth.
    expect(replicaPosts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(replicaPosts.map((p) => p.authorization))).toEqual(
      new Set([`Basic ${Buffer.from("probe:s3cret-pass").toString("base64")}`]),
    );

    // The silence expires; the next run's post reaches the receiver for x.
    const expired = spawnSync("amtool", [`--alertmanager.url=${am.url}`, "silence", "expire", silenceId], {
      encoding: "utf8",
    });
    expect(expired.status, expired.stderr).toBe(0);
    await run();
    await waitFor("x at the receiver once unsilenced", async () =>
      notified.find((n) => n.status === "firing" && n.alerts.some((a) => a.labels.check === "x")),
    );

    // x recovers: RESOLVED ends its alert in Alertmanager and the receiver hears so; y stays.
    health.x = true;
    const third = await run();
    expect(third.code, third.out).toBe(1);
    await waitFor("x resolved at the receiver", async () =>
      notified.find((n) => n.status === "resolved" && n.alerts.some((a) => a.labels.check === "x")),
    );
    const left = await alerts();
    expect(left.map((a) => a.labels.check)).toEqual(["y"]);
    // No output shows the replica's password.
    expect(first.out + second.out + third.out).not.toContain("s3cret-pass");
  }, 90_000);
});
