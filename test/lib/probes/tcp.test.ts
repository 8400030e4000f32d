import { describe, expect, it } from "vitest";
import { probe } from "../../support/checks.js";
import { closedPort, tcpTarget } from "../../support/servers.js";

describe("tcp probe", () => {
  it("is up when the port accepts a connection", async () => {
    const target = await tcpTarget((socket) => socket.end());
    try {
      const result = await probe({ tcp: { host: "127.0.0.1", port: target.port } });
      expect(result).toMatchObject({ status: "up", reason: `connected to 127.0.0.1:${target.port}` });
      expect(Object.keys(result.phases ?? {}).sort()).toEqual(["connect", "resolve"]);
    } finally {
      await target.close();
    }
  });

  it("is down, naming the port, when nothing listens", async () => {
    const port = await closedPort();
    const result = await probe({ tcp: { host: "127.0.0.1", port } });
    expect(result).toMatchObject({ status: "down", reason: `connection refused by 127.0.0.1:${port}` });
  });

  it("matches a banner, and names what it got when it does not match", async () => {
    const smtp = await tcpTarget((socket) => socket.end("220 mail.test ESMTP\r\n"));
    try {
      const good = await probe({ tcp: { host: "127.0.0.1", port: smtp.port, expect: "^220 " } });
      expect(good.status, good.reason).toBe("up");
      // A fact is data: its control characters are shown as escapes (lib/text.ts).
      expect(good.facts?.banner).toBe("220 mail.test ESMTP\\r\\n");
      const bad = await probe({ tcp: { host: "127.0.0.1", port: smtp.port, expect: "^SSH-" } });
      expect(bad).toMatchObject({
        status: "down",
        reason: `127.0.0.1:${smtp.port} answered "220 mail.test ESMTP\\r\\n", expected to match /^SSH-/`,
      });
    } finally {
      await smtp.close();
    }
  });

  it("sends, then reads the answer", async () => {
    const echo = await tcpTarget((socket) =>
      socket.on("data", (data) => socket.end(`+${data.toString().trim()}\r\n`)),
    );
    try {
      const result = await probe({
        tcp: { host: "127.0.0.1", port: echo.port, send: "PING\r\n", expect: "^\\+PING" },
      });
      expect(result.status, result.reason).toBe("up");
    } finally {
      await echo.close();
    }
  });

  it("times out, saying what it waited for, when the banner never comes", async () => {
    const silent = await tcpTarget(() => {});
    try {
      const result = await probe({
        timeout: "300ms",
        tcp: { host: "127.0.0.1", port: silent.port, expect: "^220" },
      });
      expect(result).toMatchObject({
        status: "down",
        reason: `timed out after 300ms while waiting for data matching /^220/ from 127.0.0.1:${silent.port}`,
      });
    } finally {
      await silent.close();
    }
  });
});
