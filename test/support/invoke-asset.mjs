// Invokes a bundled probe function the way Lambda's Node runtime does: import the asset, call its
// handler once with the shard event and a context whose clock runs down from the given budget, then
// end the process whatever is still open (Lambda freezes it). Prints one line: "RESULT {json}".
// Plain JavaScript, so it runs under bare Node (20 or 24) with no TypeScript loader.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [assetDir, shardOrEvent, remaining] = process.argv.slice(2);
// A shard id, a whole event as JSON (`{"refresh":true}`), or a JSON list of events handled one
// after another by the same instance (a warm container); then the summary is the list of answers.
const event = /^[{[]/.test(shardOrEvent) ? JSON.parse(shardOrEvent) : { shard: shardOrEvent };
const started = Date.now();
const budget = Number(remaining);
const context = {
  functionName: "watchpost-probe",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:watchpost-probe",
  memoryLimitInMB: "1024",
  awsRequestId: randomUUID(),
  logGroupName: "/aws/lambda/watchpost-probe",
  logStreamName: "local",
  getRemainingTimeInMillis: () => budget - (Date.now() - started),
};
let outcome;
try {
  const { handler } = await import(pathToFileURL(path.join(assetDir, "index.mjs")).href);
  const answers = [];
  for (const one of Array.isArray(event) ? event : [event]) answers.push(await handler(one, context));
  outcome = { ok: true, summary: Array.isArray(event) ? answers : answers[0] };
} catch (error) {
  outcome = { ok: false, error: `${error?.name}: ${error?.message}` };
}
process.stdout.write(
  `RESULT ${JSON.stringify({ ...outcome, startedAt: started, elapsedMs: Date.now() - started })}\n`,
);
process.exit(0);
