/**
 * Every command and option of the CLI, in one list: the parser, `watchpost --help`,
 * `watchpost <command> --help` and the did-you-mean for a mistyped option all read it.
 */

export interface OptionSpec {
  type: "string" | "boolean";
  /** What the value looks like in help: `PATH`, `N`, `URL`. */
  value?: string;
  default?: string | boolean;
  multiple?: boolean;
  short?: string;
  help: string;
}

export interface CommandSpec {
  summary: string;
  /** `watchpost run [options]`. */
  usage: string;
  options: string[];
  examples: string[];
  /** Exit codes this command uses, beyond 0. */
  exits: string[];
}

export const OPTIONS: Record<string, OptionSpec> = {
  checks: { type: "string", value: "PATH", default: "checks", help: "Folder (or one file) of check files" },
  only: {
    type: "string",
    value: "NAME",
    multiple: true,
    help: "Run only this check; repeat or separate with commas",
  },
  json: {
    type: "boolean",
    default: false,
    help: "Print JSON (run: one array; with --watch, one object per line)",
  },
  watch: {
    type: "boolean",
    default: false,
    help: "Keep running each check on its interval, confirming failures, until Ctrl-C",
  },
  wide: { type: "boolean", default: false, help: "Print each reason on one line, however long" },
  concurrency: { type: "string", value: "N", default: "64", help: "Checks in flight at once" },
  location: {
    type: "string",
    value: "NAME",
    default: "local",
    help: "The location label on metrics and alerts",
  },
  locations: {
    type: "string",
    value: "A,B,C",
    help: "Several locations, the first deciding on a quorum: run acts as --location among them, sharing --state; plan and cost price a deployment in each",
  },
  listen: {
    type: "string",
    value: "HOST:PORT",
    help: "With --watch: serve heartbeat pings (POST /ping/NAME) on this address, e.g. 127.0.0.1:8787",
  },
  url: {
    type: "string",
    value: "URL",
    help: "The ping endpoint: the deployed stack's PingUrl output, or a local --listen address. Default: $WATCHPOST_PING_URL, else http://127.0.0.1:8787",
  },
  start: {
    type: "boolean",
    default: false,
    help: "The job is starting (its duration is measured from here)",
  },
  fail: { type: "boolean", default: false, help: "The job failed" },
  "exit-code": {
    type: "string",
    value: "N",
    help: "The job's exit code: 0 is a success, anything else a failure",
  },
  size: {
    type: "string",
    value: "BYTES",
    help: "What the job produced, in bytes (expect.minSize compares it)",
  },
  log: {
    type: "string",
    value: "FILE",
    help: "Send the job's log (its last 4 KiB are kept and quoted in a failure's notification); - reads standard input",
  },
  "token-file": {
    type: "string",
    value: "FILE",
    help: "The check's ping token. Default: $WATCHPOST_PING_TOKEN, else derived from the local key beside --state",
  },
  "key-file": {
    type: "string",
    value: "FILE",
    help: "The heartbeat key (the deployment's secret; - reads standard input). Default: the local key beside --state",
  },
  "group-by": {
    type: "string",
    value: "LABEL",
    default: "team",
    help: "The label the status page groups checks by (checks without it are under other)",
  },
  title: { type: "string", value: "TEXT", default: "Status", help: "The status page's title" },
  state: {
    type: "string",
    value: "FILE",
    default: ".watchpost/state.json",
    help: "Alert state between runs",
  },
  webhook: {
    type: "string",
    value: "URL",
    help: "POST each notification as JSON to URL (default: print it)",
  },
  channels: {
    type: "string",
    value: "FILE",
    help: "Slack, PagerDuty, Teams and webhook channels, routed by severity and labels",
  },
  "group-threshold": {
    type: "string",
    value: "N",
    default: "5",
    help: "This many alerts of one type and severity in one run become one summary",
  },
  "remote-write": { type: "string", value: "URL", help: "Prometheus remote-write endpoint (…/api/v1/write)" },
  "remote-write-header": {
    type: "string",
    value: "NAME=VALUE",
    multiple: true,
    help: "Extra remote-write header, e.g. X-Scope-OrgID=tenant; repeatable",
  },
  "remote-write-bearer-token-file": {
    type: "string",
    value: "FILE",
    help: "Send Authorization: Bearer <the file's content>",
  },
  "remote-write-basic-auth-file": {
    type: "string",
    value: "FILE",
    help: "Send basic auth; the file holds user:password",
  },
  "remote-write-sigv4-region": {
    type: "string",
    value: "REGION",
    help: "Sign for Amazon Managed Service for Prometheus",
  },
  job: {
    type: "string",
    value: "NAME",
    default: "watchpost",
    help: "The job label of remote-written series (blackbox setups often use blackbox)",
  },
  instance: {
    type: "string",
    value: "target|check",
    default: "target",
    help: "What the instance label holds: the probed target, as blackbox's relabelling gives, or the check's name",
  },
  cloudwatch: {
    type: "boolean",
    default: false,
    help: "PutMetricData with the default AWS credentials and region",
  },
  "cloudwatch-namespace": { type: "string", value: "NS", default: "Watchpost", help: "CloudWatch namespace" },
  "cloudwatch-phases": { type: "boolean", default: false, help: "Also publish per-phase HTTP durations" },
  "cloudwatch-high-resolution": { type: "boolean", default: false, help: "One-second storage resolution" },
  out: { type: "string", value: "FILE", help: "Write to FILE instead of standard output" },
  deploy: {
    type: "boolean",
    default: false,
    help: "Treat deploy rules as errors (exit 2), as cdk synth does",
  },
  latency: {
    type: "string",
    value: "DURATION",
    default: "300ms",
    help: "Typical check time (300ms, 1.5s; a bare number is milliseconds)",
  },
  "check-metrics": {
    type: "string",
    value: "on|off",
    help: "Per-check CloudWatch metrics (the construct's checkMetrics); default on, off with --prometheus or --amp, as a deployment decides",
  },
  prometheus: {
    type: "boolean",
    default: false,
    help: "The deployment remote-writes to Prometheus (so per-check CloudWatch metrics default off)",
  },
  amp: {
    type: "boolean",
    default: false,
    help: "Add Amazon Managed Service for Prometheus ingestion (implies --prometheus)",
  },
  "max-checks-per-shard": {
    type: "string",
    value: "N",
    default: "200",
    help: "As the construct's maxChecksPerShard",
  },
  test: { type: "boolean", default: false, help: "Send a test FIRING and its RESOLVED" },
  help: { type: "boolean", short: "h", default: false, help: "Show this help" },
  debug: { type: "boolean", default: false, help: "Print stack traces of errors" },
  version: { type: "boolean", default: false, help: "Print the version" },
};

/** Options every command takes. */
export const GLOBAL_OPTIONS = ["help", "debug", "version"];

const METRICS = [
  "remote-write",
  "remote-write-header",
  "remote-write-bearer-token-file",
  "remote-write-basic-auth-file",
  "remote-write-sigv4-region",
  "job",
  "instance",
  "cloudwatch",
  "cloudwatch-namespace",
  "cloudwatch-phases",
  "cloudwatch-high-resolution",
];

export const COMMANDS: Record<string, CommandSpec> = {
  init: {
    summary: "Write a starter checks/ folder that validates and runs",
    usage: "watchpost init [DIR]",
    options: [],
    examples: ["watchpost init", "watchpost init monitoring"],
    exits: ["2: DIR already holds check files, or cannot be written"],
  },
  validate: {
    summary: "Check the check files (and the rules cdk synth applies) and report every problem",
    usage: "watchpost validate [options]",
    options: ["checks", "json", "deploy"],
    examples: ["watchpost validate", "watchpost validate --checks checks --deploy --json"],
    exits: ["2: a problem in a check file (or, with --deploy, one synth would refuse)"],
  },
  run: {
    summary: "Run the checks, alert on changes, and print the results",
    usage: "watchpost run [options]",
    options: [
      "checks",
      "only",
      "json",
      "watch",
      "wide",
      "concurrency",
      "location",
      "locations",
      "state",
      "listen",
      "webhook",
      "channels",
      "group-threshold",
      ...METRICS,
    ],
    examples: [
      "watchpost run",
      "watchpost run --watch --listen 127.0.0.1:8787",
      "watchpost run --only payments-api --json",
      "watchpost run --watch --channels channels.yml",
      "watchpost run --remote-write http://127.0.0.1:9090/api/v1/write",
    ],
    exits: [
      "1: a check is down, unknown or skipped",
      "2: a problem in a check file, the command line or the environment (the state file)",
      "3: every check is up or degraded, but a sink or a notification failed",
      "130: interrupted (Ctrl-C); what finished is printed",
    ],
  },
  demo: {
    summary: "Start local demo targets and run example checks against them",
    usage: "watchpost demo [options]",
    options: ["json", "wide", ...METRICS],
    examples: ["watchpost demo"],
    exits: ["1: a demo check is down (some are, on purpose)"],
  },
  plan: {
    summary: "Show what cdk deploy would create: shards, schedules, permissions, monthly cost",
    usage: "watchpost plan [options]",
    options: [
      "checks",
      "json",
      "max-checks-per-shard",
      "latency",
      "check-metrics",
      "prometheus",
      "locations",
    ],
    examples: [
      "watchpost plan",
      "watchpost plan --prometheus",
      "watchpost plan --locations eu-west-1,us-east-1,ap-southeast-2",
      "watchpost plan --json",
    ],
    exits: ["2: a problem in a check file, or one cdk synth would refuse"],
  },
  cost: {
    summary: "Estimate what the checks cost a month when deployed",
    usage: "watchpost cost [options]",
    options: ["checks", "json", "latency", "check-metrics", "prometheus", "amp", "locations"],
    examples: [
      "watchpost cost",
      "watchpost cost --amp",
      "watchpost cost --latency 500 --check-metrics off --json",
    ],
    exits: ["2: a problem in a check file"],
  },
  notify: {
    summary: "Send a test notification through --webhook and --channels",
    usage: "watchpost notify --test [options]",
    options: ["test", "webhook", "channels"],
    examples: ["watchpost notify --test --channels channels.yml"],
    exits: ["2: no destination given", "3: a destination refused or did not answer"],
  },
  slo: {
    summary: "Report each SLO's error budget and burn rates from the history beside --state",
    usage: "watchpost slo [options]",
    options: ["checks", "only", "json", "state"],
    examples: ["watchpost slo", "watchpost slo --only payments-api --json"],
    exits: ["2: a problem in a check file, or the history file cannot be read"],
  },
  status: {
    summary: "Write the status page (index.html, status.json) from the history beside --state",
    usage: "watchpost status --out DIR [options]",
    options: ["checks", "out", "group-by", "title", "state"],
    examples: [
      "watchpost status --out public",
      "watchpost status --out public --group-by service --title 'Acme status'",
    ],
    exits: ["2: a problem in a check file, no --out, or DIR cannot be written"],
  },
  ping: {
    summary: "Tell a heartbeat check that its job ran (for scripts, cron, CI)",
    usage: "watchpost ping NAME [options]",
    options: ["start", "fail", "exit-code", "size", "log", "url", "token-file", "state"],
    examples: [
      "watchpost ping nightly-backup --start",
      "watchpost ping nightly-backup --size 1048576 --log backup.log",
      "watchpost ping nightly-backup --exit-code $? --url https://abc123.execute-api.eu-west-1.amazonaws.com",
    ],
    exits: [
      "2: a problem with the command line or the token",
      "3: the endpoint refused the ping or could not be reached (after 3 tries)",
    ],
  },
  token: {
    summary: "Print a heartbeat check's ping token",
    usage: "watchpost token NAME [options]",
    options: ["key-file", "state"],
    examples: [
      "watchpost token nightly-backup",
      "aws secretsmanager get-secret-value --secret-id ARN --query SecretString --output text | watchpost token nightly-backup --key-file -",
    ],
    exits: ["2: no key (none beside --state and no --key-file)"],
  },
  schema: {
    summary: "Print the JSON Schema of check files",
    usage: "watchpost schema [options]",
    options: ["out"],
    examples: ["watchpost schema --out schema/checks.schema.json"],
    exits: ["2: --out cannot be written"],
  },
};

function optionLine(name: string): [string, string] {
  const o = OPTIONS[name] as OptionSpec;
  const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`;
  const fallback =
    o.default !== undefined && o.default !== false && o.type === "string" ? ` Default: ${o.default}` : "";
  return [flag, `${o.help}.${fallback}`];
}

function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([a]) => a.length)) + 2;
  return rows.map(([a, b]) => `  ${a.padEnd(width)}${b}`).join("\n");
}

export function usage(): string {
  return `Usage: watchpost <command> [options]

Commands:
${table(Object.entries(COMMANDS).map(([name, c]) => [name, c.summary]))}

Options for every command:
${table(GLOBAL_OPTIONS.map(optionLine))}

Run 'watchpost <command> --help' for a command's options, defaults and examples.
Exit codes: 0 ok; 1 a check is down, unknown or skipped; 2 a problem with the input or environment;
3 a sink or notification failed; 70 an internal error; 130 interrupted.
`;
}

export function commandHelp(name: string): string {
  const c = COMMANDS[name] as CommandSpec;
  return `Usage: ${c.usage}

${c.summary}.

Options:
${table([...c.options, ...GLOBAL_OPTIONS].map(optionLine))}

Examples:
${c.examples.map((e) => `  ${e}`).join("\n")}

Exit codes: 0 ok; ${c.exits.join("; ")}.
`;
}
