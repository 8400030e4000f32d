/**
 * The steps probe: a flow of http, tcp, tls and dns exchanges in order, each one's references
 * resolved as it starts so `${var:NAME}` holds what an earlier step extracted. The flow stops at the
 * first failed step but for `always` steps; each step's conditions reach the check prefixed with its
 * name, so the engine's verdict is the worst step's and its reason names the step.
 */
import { strings, variablesIn } from "../checks/syntax.js";
import { redactUrl } from "../redact.js";
import type { Condition, Observation, StepResult } from "../result.js";
import { formatDuration } from "../units.js";
import { roundPhases, verdict } from "../verdict.js";
import type { StepConfig, StepsConfig } from "./config/steps.js";
import { dnsProbe } from "./dns.js";
import { httpExchange } from "./http.js";
import { STEP_KINDS, type StepKind } from "./kinds.js";
import { CheckSetupError, defineProbe, type Probe, type ProbeContext } from "./probe.js";
import { extractValues, type Response, readsBody } from "./steps/extract.js";
import { tcpProbe } from "./tcp.js";
import { tlsProbe } from "./tls.js";

const STEP_PROBES = { tcp: tcpProbe, tls: tlsProbe, dns: dnsProbe } as const;

export const stepsProbe = defineProbe<StepsConfig>({
  kind: "steps",
  target: (steps) => stepTarget(steps[0] as StepConfig),
  resolvesOwnReferences: true,
  timedOut: (after, stage) => `flow timed out after ${after} ${stage}`,
  run: runFlow,
});

function kindOf(step: StepConfig): StepKind {
  return STEP_KINDS.find((kind) => step[kind] !== undefined) as StepKind;
}

function stepTarget(step: StepConfig): string {
  const kind = kindOf(step);
  const config = step[kind];
  return kind === "http" ? (config as { url: string }).url : (STEP_PROBES[kind] as Probe).target(config);
}

async function runFlow(steps: StepsConfig, ctx: ProbeContext): Promise<Observation> {
  const variables = new Map<string, string>();
  const results: StepResult[] = steps.map((step) => ({
    name: step.name,
    kind: kindOf(step),
    target: redactUrl(stepTarget(step)),
    status: "skipped",
    reason: "not run",
    durationMs: 0,
  }));
  const conditions: Condition[] = [];
  let failed: string | undefined;
  let current: { index: number; started: number; doing: string } | undefined;
  const observation = (): Observation => ({
    conditions,
    summary: `${steps.length} step${steps.length === 1 ? "" : "s"} passed`,
    steps: results,
  });
  ctx.progress(() => {
    // Cut by the check's timeout: the step in flight was cut, and the rest never ran.
    if (current) {
      const cut = results[current.index] as StepResult;
      cut.status = "down";
      cut.reason = `cut by the flow's timeout while ${current.doing}`;
      cut.durationMs = round(performance.now() - current.started);
      for (const later of results.slice(current.index + 1))
        later.reason = "not run: the flow's timeout passed";
    }
    return observation();
  });
  for (const [index, step] of steps.entries()) {
    const result = results[index] as StepResult;
    if (failed !== undefined && !step.always) {
      result.reason = `not run: step "${failed}" failed`;
      continue;
    }
    const kind = kindOf(step);
    const missing = strings(step[kind], [])
      .flatMap(([, text]) => variablesIn(text))
      .find((name) => !variables.has(name));
    if (missing !== undefined) {
      result.reason = `not run: \${var:${missing}} was not extracted${failed !== undefined ? ` (step "${failed}" failed)` : ""}`;
      continue;
    }
    current = { index, started: performance.now(), doing: `starting step "${step.name}"` };
    ctx.stage(`in step "${step.name}"`);
    const ran = await runStep(step, kind, variables, ctx, (doing) => {
      if (current) current.doing = doing;
    });
    current = undefined;
    ctx.stage(`after step "${step.name}"`);
    Object.assign(result, ran.result);
    for (const condition of ran.conditions)
      conditions.push({ ...condition, text: `step "${step.name}": ${condition.text}` });
    if (result.status === "down" || result.status === "unknown") failed ??= step.name;
    for (const [name, value] of ran.values) {
      ctx.conceal(value);
      variables.set(name, value);
    }
  }
  return observation();
}

interface Ran {
  result: Pick<StepResult, "status" | "reason" | "durationMs" | "phases">;
  conditions: Condition[];
  values: Map<string, string>;
}

/** One step: its references resolved, its exchange within its own timeout, its values extracted. */
async function runStep(
  step: StepConfig,
  kind: StepKind,
  variables: ReadonlyMap<string, string>,
  flow: ProbeContext,
  doing: (what: string) => void,
): Promise<Ran> {
  const started = performance.now();
  const controller = new AbortController();
  const onFlowAbort = () => controller.abort(flow.signal.reason);
  flow.signal.addEventListener("abort", onFlowAbort, { once: true });
  let stage = "starting";
  const ctx: ProbeContext = {
    ...flow,
    signal: controller.signal,
    stage: (what) => {
      stage = what;
      doing(what);
      flow.stage(`in step "${step.name}" while ${what}`);
    },
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    if (step.timeout === undefined) return;
    timer = setTimeout(() => {
      controller.abort(new Error("timeout"));
      resolve("timeout");
    }, step.timeout);
  });
  const ended = (status: Ran["result"]["status"], reason: string, conditions: Condition[] = []): Ran => ({
    result: { status, reason, durationMs: round(performance.now() - started) },
    conditions,
    values: new Map(),
  });
  try {
    const exchange = async (): Promise<{ observation: Observation; response: Response }> => {
      const config = await flow.resolve(step[kind], {
        var: (name) => variables.get(name) as string,
      });
      if (kind === "http") {
        const { observation, response } = await httpExchange(
          config as Parameters<typeof httpExchange>[0],
          ctx,
          readsBody(step.extract),
        );
        return {
          observation,
          response: { ...(response ? { hop: response } : {}), facts: observation.facts ?? {} },
        };
      }
      const observation = await (STEP_PROBES[kind] as Probe).run(config, ctx);
      return { observation, response: { facts: observation.facts ?? {} } };
    };
    const outcome = await Promise.race([exchange(), timedOut]);
    if (outcome === "timeout") {
      const text = `timed out after ${formatDuration(step.timeout as number)} while ${stage}`;
      return ended("down", text, [{ ok: false, effect: "fail", text }]);
    }
    const { observation, response } = outcome;
    const conditions = [...observation.conditions];
    let values = new Map<string, string>();
    // Values are taken only from an answer the step accepted: a failed one has said why already.
    if (step.extract && verdict(observation).status !== "down" && verdict(observation).status !== "unknown") {
      const extracted = extractValues(step.extract, response);
      conditions.push(...extracted.failures);
      values = extracted.values;
    }
    const judged = verdict({ ...observation, conditions });
    return {
      result: {
        status: judged.status,
        reason: judged.reason,
        durationMs: round(performance.now() - started),
        ...(observation.phases ? { phases: roundPhases(observation.phases) } : {}),
      },
      conditions,
      values: judged.status === "up" || judged.status === "degraded" ? values : new Map(),
    };
  } catch (error) {
    // The flow itself was cut: the engine words that, from the flow's progress.
    if (flow.signal.aborted) throw error;
    const text =
      error instanceof CheckSetupError
        ? error.message
        : `probe failed unexpectedly: ${(error as Error)?.message ?? String(error)}`;
    return ended("unknown", text, [{ ok: false, effect: "unknown", text }]);
  } finally {
    clearTimeout(timer);
    flow.signal.removeEventListener("abort", onFlowAbort);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
