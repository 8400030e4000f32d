/**
 * Runs N HTTP checks against a loopback URL the way one probe-function invocation does (engine,
 * CloudWatch datums, alerting in memory) and prints duration and peak memory: bench/deploy.ts
 * chooses the function's default memory and shard size from these figures.
 */
import { Alerter } from "../../lib/alerting/alerter.js";
import { ConsoleNotifier } from "../../lib/alerting/notifiers/local.js";
import { MemoryStore } from "../../lib/alerting/stores/store.js";
import { defaultAwsClients } from "../../lib/aws/clients.js";
import { envResolver } from "../../lib/checks/references.js";
import { compile } from "../../lib/deploy/compile.js";
import { lazySink } from "../../lib/runtime/pipeline.js";
import { runShard } from "../../lib/runtime/shard.js";
import { CloudWatchSink } from "../../lib/sinks/cloudwatch.js";
import { check } from "./checks.js";

const [url, count] = [process.argv[2] as string, Number(process.argv[3])];
const specs = Array.from({ length: count }, (_, i) =>
  check({ name: `c${i}`, timeout: "10s", http: { url: `${url}?i=${i}` } }),
);
// One invocation of all N checks, whatever size the construct would cut shards to: the figure is
// what one invocation of N checks costs.
const checks = compile([{ id: "1m-0", intervalMs: 60_000, checks: specs }]);
let datums = 0;
const started = performance.now();
const summary = await runShard(
  "1m-0",
  {
    checks,
    location: "bench",
    aws: defaultAwsClients(),
    resolvers: { env: envResolver },
    alerter: new Alerter({
      store: new MemoryStore(),
      notifier: new ConsoleNotifier(() => {}),
      location: "bench",
    }),
    sinks: () => [
      lazySink(
        "cloudwatch",
        () =>
          new CloudWatchSink({
            client: {
              send: async (command) => {
                datums += command.input.MetricData?.length ?? 0;
              },
            },
            heartbeatInterval: "1m",
          }),
      ),
    ],
    logResult: (result) => void JSON.stringify(result),
  },
  55_000,
);
process.stdout.write(
  JSON.stringify({
    count,
    up: summary.counts.up,
    datums,
    ms: Math.round(performance.now() - started),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
