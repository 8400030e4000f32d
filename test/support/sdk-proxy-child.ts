/**
 * Asks https://localhost:argv[3]/ once through the AWS SDK's proxy agent, HTTPS_PROXY set to the
 * proxy in argv[2], with nothing else in the process to keep it alive, as an AWS call outside a run
 * is: prints the answer's status, or the error, once it comes. A process that exited first printed
 * nothing.
 */
import https from "node:https";
import { sdkProxy } from "../../lib/aws/proxy-agents.js";

const agent = sdkProxy({ HTTPS_PROXY: process.argv[2] }).requestHandler?.httpsAgent as https.Agent;
https
  .get(`https://localhost:${process.argv[3]}/`, { agent, rejectUnauthorized: false }, (res) => {
    res.resume();
    res.on("end", () => {
      process.stdout.write(JSON.stringify({ status: res.statusCode }));
      agent.destroy();
    });
  })
  .on("error", (error) => process.stdout.write(JSON.stringify({ error: error.message })));
