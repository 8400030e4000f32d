/** The `tcp:` block of a check file: its schema (the probe's run time is lib/probes/tcp.ts). */
import { z } from "zod";
import { host, port, regex, text } from "../../checks/fields.js";

export const tcpConfig = z.strictObject({
  host: host.meta({ description: "Host name or IP address." }),
  port: port.meta({ description: "TCP port." }),
  send: text.optional().meta({ description: "Text to send once connected (\\r\\n as written in YAML)." }),
  expect: regex
    .optional()
    .meta({ description: "A regular expression the peer's first bytes (up to 64KiB) must match." }),
});

export type TcpConfig = z.output<typeof tcpConfig>;
