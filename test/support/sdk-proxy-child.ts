/**
 * Asks https://localhost:argv[3]/ through the AWS SDK's proxy agent with HTTPS_PROXY set to the proxy
 * in argv[2], which never answers CONNECT, and does nothing else: prints how long after asking the
 * process exited (a waiting tunnel that held it would keep it for the whole tunnel timeout).
 */
import https from "node:https";
import { sdkProxy } from "../../lib/aws/proxy-agents.js";

const agent = sdkProxy({ HTTPS_PROXY: process.argv[2] }).requestHandler?.httpsAgent as https.Agent;
const askedAt = performance.now();
https.get(`https://localhost:${process.argv[3]}/`, { agent }).on("error", () => {});
process.on("exit", () => {
  process.stdout.write(JSON.stringify({ exitAfterMs: performance.now() - askedAt }));
});
