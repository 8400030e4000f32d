import dgram from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../support/checks.js";
import { startDnsServer } from "../../support/dns-server.js";

let server: Awaited<ReturnType<typeof startDnsServer>>;

beforeAll(async () => {
  server = await startDnsServer({
    "api.test": {
      answers: [
        { type: "A", name: "", data: "10.0.0.1" },
        { type: "A", name: "", data: "10.0.0.2" },
        { type: "AAAA", name: "", data: "fd00::1" },
        { type: "TXT", name: "", data: ["v=spf1 ", "-all"] },
        { type: "MX", name: "", data: { preference: 10, exchange: "mx.api.test" } },
        { type: "NS", name: "", data: "ns1.api.test" },
      ],
    },
    "www.api.test": { answers: [{ type: "CNAME", name: "", data: "api.test" }] },
    "zone.test": {
      answers: [
        { type: "A", name: "", data: "10.0.0.9" },
        {
          type: "SOA",
          name: "",
          data: {
            mname: "ns1.zone.test",
            rname: "hostmaster.zone.test",
            serial: 2026112301,
            refresh: 3600,
            retry: 600,
            expire: 86400,
            minimum: 60,
          },
        },
      ],
      authorities: [
        { type: "NS", name: "", data: "ns1.zone.test" },
        { type: "NS", name: "", data: "ns2.zone.test" },
      ],
      additionals: [{ type: "A", name: "ns1.zone.test", data: "10.0.0.53" }],
    },
    "big.test": { truncate: true, answers: [{ type: "A", name: "", data: "10.0.0.7" }] },
    "spoofed.test": { junkFirst: true, answers: [{ type: "A", name: "", data: "10.0.0.8" }] },
    "broken.test": { rcode: "SERVFAIL" },
    "slow.test": { silent: true },
  });
});

afterAll(() => server.close());

const lookup = (dns: Record<string, unknown>, common: Record<string, unknown> = {}) =>
  probe({ timeout: "2s", ...common, dns: { resolver: server.address, ...dns } });

describe("dns probe", () => {
  const cases: { name: string; dns: Record<string, unknown>; status: string; reason: RegExp }[] = [
    { name: "A records", dns: { name: "api.test" }, status: "up", reason: /^A 10\.0\.0\.1, 10\.0\.0\.2$/ },
    {
      name: "AAAA records",
      dns: { name: "api.test", type: "AAAA", expect: { equals: ["fd00::1"] } },
      status: "up",
      reason: /fd00::1/,
    },
    {
      name: "TXT joined",
      dns: { name: "api.test", type: "TXT", expect: { contains: ["v=spf1 -all"] } },
      status: "up",
      reason: /v=spf1 -all/,
    },
    {
      name: "MX with priority",
      dns: { name: "api.test", type: "MX", expect: { contains: ["10 mx.api.test"] } },
      status: "up",
      reason: /10 mx\.api\.test/,
    },
    {
      name: "NS",
      dns: { name: "api.test", type: "NS", expect: { count: 1 } },
      status: "up",
      reason: /ns1\.api\.test/,
    },
    {
      name: "CNAME, trailing dot ignored",
      dns: { name: "www.api.test", type: "CNAME", expect: { equals: ["api.test."] } },
      status: "up",
      reason: /api\.test/,
    },
    {
      name: "a missing answer",
      dns: { name: "api.test", expect: { contains: ["10.0.0.9"] } },
      status: "down",
      reason: /^answers \[10\.0\.0\.1, 10\.0\.0\.2\] do not include 10\.0\.0\.9$/,
    },
    {
      name: "answers that are not exactly",
      dns: { name: "api.test", expect: { equals: ["10.0.0.1"] } },
      status: "down",
      reason: /^answers are \[10\.0\.0\.1, 10\.0\.0\.2\], expected \[10\.0\.0\.1\]$/,
    },
    {
      name: "too many answers",
      dns: { name: "api.test", expect: { count: { max: 1 } } },
      status: "down",
      reason: /^2 A answer\(s\), expected at most 1$/,
    },
    {
      name: "NXDOMAIN",
      dns: { name: "nope.test" },
      status: "down",
      reason: /^nope\.test does not exist \(NXDOMAIN from 127\.0\.0\.1:\d+\)$/,
    },
    {
      name: "no records of the type",
      dns: { name: "www.api.test", type: "A" },
      status: "down",
      reason: /^www\.api\.test has no A records/,
    },
    {
      name: "SERVFAIL",
      dns: { name: "broken.test" },
      status: "down",
      reason: /^127\.0\.0\.1:\d+ answered SERVFAIL for broken\.test$/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const result = await lookup(c.dns);
      expect(result.status, result.reason).toBe(c.status);
      expect(result.reason).toMatch(c.reason);
    });
  }

  it("times out on a resolver that never answers", async () => {
    const result = await lookup({ name: "slow.test" }, { timeout: "300ms" });
    expect(result.status).toBe("down");
    expect(result.reason).toMatch(
      /^timed out after 300ms while waiting for 127\.0\.0\.1:\d+ to answer slow\.test A$/,
    );
  });

  it("reports its answers as facts", async () => {
    const result = await lookup({ name: "api.test" });
    expect(result.facts?.dnsAnswers).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(result.phases?.processing).toBeGreaterThan(0);
    expect(result.instance).toBe(server.address);
  });

  it("counts every section of the answer, and reads a zone's serial", async () => {
    const a = await lookup({ name: "zone.test" });
    expect(a.facts?.dns).toEqual({
      answered: true,
      rcode: "NOERROR",
      answerRrs: 1,
      authorityRrs: 2,
      additionalRrs: 1,
    });
    const soa = await lookup({ name: "zone.test", type: "SOA" });
    expect(soa.status, soa.reason).toBe("up");
    expect(soa.facts?.dns?.serial).toBe(2026112301);
    expect(soa.reason).toMatch(/^SOA ns1\.zone\.test hostmaster\.zone\.test 2026112301 /);
    const missing = await lookup({ name: "nowhere.test" });
    expect(missing.facts?.dns).toMatchObject({ answered: true, rcode: "NXDOMAIN", answerRrs: 0 });
  });

  it("asks again over TCP when the UDP answer is truncated", async () => {
    const result = await lookup({ name: "big.test", expect: { equals: ["10.0.0.7"] } });
    expect(result.status, result.reason).toBe("up");
  });

  it("offers EDNS0 with a 1232-byte buffer, another size, or none, and counts no OPT as a record", async () => {
    const asked = () =>
      server.questions.at(-1)?.additionals?.find((r) => r.type === "OPT") as
        | { udpPayloadSize?: number }
        | undefined;
    const result = await lookup({ name: "zone.test" });
    expect(asked()?.udpPayloadSize).toBe(1232);
    expect(result.facts?.dns?.additionalRrs).toBe(1);
    await lookup({ name: "zone.test", ednsBufferSize: 4096 });
    expect(asked()?.udpPayloadSize).toBe(4096);
    await lookup({ name: "zone.test", ednsBufferSize: false });
    expect(asked()).toBeUndefined();
  });

  it("says the UDP answer was truncated when asking again over TCP fails", async () => {
    const udpOnly = await startDnsServer(
      { "big.test": { truncate: true, answers: [{ type: "A", name: "", data: "10.0.0.7" }] } },
      { tcp: false },
    );
    try {
      const result = await probe({ timeout: "2s", dns: { name: "big.test", resolver: udpOnly.address } });
      expect(result.status).toBe("down");
      expect(result.reason).toBe(
        `the UDP answer from ${udpOnly.address} for big.test was truncated, and asking again over TCP failed: connection refused by resolver ${udpOnly.address}`,
      );
    } finally {
      await udpOnly.close();
    }
  });

  it("ignores garbage and answers with another id, and takes the real one", async () => {
    const result = await lookup({ name: "spoofed.test", expect: { equals: ["10.0.0.8"] } });
    expect(result.status, result.reason).toBe("up");
  });

  it("names a resolver that refuses the connection (nothing listens on its port)", async () => {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    const result = await probe({ timeout: "2s", dns: { name: "api.test", resolver: `127.0.0.1:${port}` } });
    expect(result.status).toBe("down");
    expect(result.reason).toBe(`connection refused by resolver 127.0.0.1:${port}`);
    expect(result.facts?.dns).toMatchObject({ answered: false });
  });

  it("says no answer came when none did", async () => {
    const result = await lookup({ name: "slow.test" }, { timeout: "300ms" });
    expect(result.facts?.dns).toBeUndefined();
  });
});
