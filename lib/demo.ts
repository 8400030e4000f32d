/**
 * `watchpost demo`: local targets that behave well, slowly and badly, and checks against them, so a
 * newcomer sees every status with no network at all. Everything listens on 127.0.0.1 only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";

export interface DemoTargets {
  /** The demo's check file, pointing at the targets; it goes through the same loader as a user's. */
  checks: string;
  close(): Promise<void>;
}

function demoChecks(web: string, bannerPort: number, closedPort: number): string {
  return `# The checks \`watchpost demo\` runs; a check file like any in checks/.
defaults:
  timeout: 2s
  labels: { team: demo }
checks:
  - name: demo-api
    http:
      url: http://${web}/health
      expect:
        status: [200]
        json: [{ path: $.status, equals: ok }]
  - name: demo-slow-api
    http:
      url: http://${web}/slow
      expect:
        latency: { degraded: 200ms, fail: 1500ms }
  - name: demo-broken-api
    severity: warning
    http:
      url: http://${web}/broken
  - name: demo-hanging-api
    timeout: 1s
    http:
      url: http://${web}/hang
  - name: demo-smtp-banner
    tcp:
      host: 127.0.0.1
      port: ${bannerPort}
      expect: "^220 "
  - name: demo-closed-port
    tcp: { host: 127.0.0.1, port: ${closedPort} }
`;
}

export async function startDemoTargets(): Promise<DemoTargets> {
  const hanging = new Set<http.ServerResponse>();
  const web = http.createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
    } else if (req.url === "/slow") {
      setTimeout(() => res.writeHead(200).end("ok"), 400);
    } else if (req.url === "/broken") {
      res.writeHead(503).end("database unavailable");
    } else if (req.url === "/hang") {
      hanging.add(res);
    } else {
      res.writeHead(404).end();
    }
  });
  const banner = net.createServer((socket) => socket.end("220 demo.local ESMTP ready\r\n"));
  const closed = net.createServer();
  const [webPort, bannerPort, closedPort] = await Promise.all([listen(web), listen(banner), listen(closed)]);
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return {
    checks: demoChecks(`127.0.0.1:${webPort}`, bannerPort, closedPort),
    async close() {
      for (const res of hanging) res.destroy();
      web.closeAllConnections();
      await Promise.all([web, banner].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}
