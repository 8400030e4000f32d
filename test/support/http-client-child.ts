/**
 * Asks the URL in argv[2] once through the outbound client, kept alive, and never closes the client:
 * prints the answer's status and, as the process exits, how long after the answer that was.
 */
import { HttpClient } from "../../lib/http/client.js";

const client = new HttpClient();
const answer = await client.request({
  url: new URL(process.argv[2] as string),
  method: "GET",
  headers: {},
  signal: AbortSignal.timeout(10_000),
});
const answeredAt = performance.now();
process.on("exit", () => {
  process.stdout.write(
    JSON.stringify({ status: answer.status, exitAfterMs: performance.now() - answeredAt }),
  );
});
