/**
 * The `steps:` block of a check file: a flow of http, tcp, tls and dns exchanges in order, each able
 * to extract values later steps use as `${var:NAME}` (the run time: lib/probes/steps.ts).
 */
import { z } from "zod";
import { duration, regex } from "../../checks/fields.js";
import { strings, VARIABLE_NAME, variablesIn } from "../../checks/syntax.js";
import { parseJsonPath } from "../expect/json-path.js";
import { EXTRACT_SOURCES, MAX_STEPS, STEP_KINDS, type StepKind } from "../kinds.js";
import { dnsConfig } from "./dns.js";
import { httpConfig } from "./http.js";
import { tcpConfig } from "./tcp.js";
import { tlsConfig } from "./tls.js";

const STEP_CONFIGS = { http: httpConfig, tcp: tcpConfig, tls: tlsConfig, dns: dnsConfig } as const;

const NAME_EXPECTED =
  "a step name of lower-case letters, digits and dashes, starting with a letter (at most 63)";

const jsonPath = z.string({ error: "a JSONPath such as $.token" }).superRefine((path, ctx) => {
  const parsed = parseJsonPath(path);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

const SOURCES = ["json", "header", "regex", "answer"] as const;

// Refinements that also run when other fields are wrong, so one validation shows every problem.
const everyMapping = {
  when: (payload: { value: unknown }) =>
    payload.value !== null && typeof payload.value === "object" && !Array.isArray(payload.value),
};
const everyList = { when: (payload: { value: unknown }) => Array.isArray(payload.value) };

const extractSource = z
  .strictObject({
    json: jsonPath
      .optional()
      .meta({ description: "From an http step: the value at this JSONPath of the body." }),
    header: z
      .string({ error: "a header name" })
      .min(1)
      .optional()
      .meta({ description: "From an http step: this response header (case-insensitive)." }),
    regex: regex.optional().meta({
      description: "From an http step: the body's first match of this pattern; its group 1 if it has one.",
    }),
    answer: z
      .number({ error: "an answer's index, from 0" })
      .int({ error: "an answer's index, from 0" })
      .min(0, { error: "an answer's index, from 0" })
      .optional()
      .meta({ description: "From a dns step: the answer at this index (0 is the first)." }),
  })
  .superRefine((source, ctx) => {
    const given = SOURCES.filter((key) => source[key] !== undefined);
    if (given.length !== 1)
      ctx.addIssue({
        code: "custom",
        message: `exactly one of ${SOURCES.join(", ")}, found ${given.length === 0 ? "none" : given.join(" and ")}`,
      });
  });

const stepKindFields = Object.fromEntries(
  STEP_KINDS.map((kind) => [kind, STEP_CONFIGS[kind].optional()]),
) as {
  [K in StepKind]: z.ZodOptional<(typeof STEP_CONFIGS)[K]>;
};

const step = z
  .strictObject({
    name: z
      .string({ error: NAME_EXPECTED })
      .regex(/^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: NAME_EXPECTED })
      .meta({
        description: "Unique in the check; the step label of its series and the name in its reasons.",
      }),
    ...stepKindFields,
    extract: z
      .record(
        z.string().regex(VARIABLE_NAME, { error: "a variable name of letters, digits and underscores" }),
        extractSource,
        { error: "variables, such as { token: { json: $.token } }" },
      )
      .optional()
      .meta({
        description: "Values later steps use as ${var:NAME}: { NAME: { json | header | regex | answer } }.",
      }),
    always: z
      .boolean({ error: "true or false" })
      .default(false)
      .meta({ description: "Run even after an earlier step failed (cleanup). Default false." }),
    timeout: duration.optional().meta({
      description: "How long this step may take. Default: whatever is left of the check's timeout.",
    }),
    steps: z
      .never({
        error: `a step of one kind (${STEP_KINDS.join(", ")}): a steps check cannot be nested in steps`,
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
    const given = STEP_KINDS.filter((kind) => value[kind] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `exactly one kind key (${STEP_KINDS.join(", ")}), found ${given.length === 0 ? "none" : given.join(" and ")}`,
      });
      return;
    }
    const kind = given[0] as StepKind;
    const allowed: readonly string[] = EXTRACT_SOURCES[kind];
    for (const [name, source] of Object.entries(mapping(value.extract))) {
      const from = SOURCES.find((key) => mapping(source)[key] !== undefined);
      if (from === undefined || allowed.includes(from)) continue;
      ctx.addIssue({
        code: "custom",
        path: ["extract", name, from],
        message: `${allowed.length === 0 ? `nothing to extract from: a ${kind} step gives no values` : `what a ${kind} step can give (${allowed.join(", ")})`}, found ${from}`,
      });
    }
  }, everyMapping);

export type StepConfig = z.output<typeof step>;

/** A check's steps: at most ten, names unique, every `${var:…}` extracted by an earlier step. */
export const stepsConfig = z
  .array(step, { error: "a list of steps, each { name, http | tcp | tls | dns, extract, always }" })
  .min(1, { error: "at least one step" })
  .max(MAX_STEPS, { error: `at most ${MAX_STEPS} steps` })
  // Run on what was written even when some step is wrong: every problem of the flow in one go.
  .superRefine((written, ctx) => {
    const steps = written.map(mapping) as Partial<StepConfig>[];
    const firstNamed = new Map<string, number>();
    const extractedBy = new Map<string, number>();
    steps.forEach((item, index) => {
      if (typeof item.name !== "string") return;
      const earlier = firstNamed.get(item.name);
      if (earlier !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `a step name unique in the check, found "${item.name}", the name of step ${earlier + 1} too`,
        });
      else firstNamed.set(item.name, index);
      for (const name of Object.keys(mapping(item.extract))) {
        const by = extractedBy.get(name);
        if (by !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [index, "extract", name],
            message: `each variable extracted once, found "${name}", which step "${steps[by]?.name}" extracts already`,
          });
        else extractedBy.set(name, index);
      }
    });
    steps.forEach((item, index) => {
      const kind = STEP_KINDS.find((k) => item[k] !== undefined);
      if (!kind) return;
      for (const [path, text] of strings(item[kind], [index, kind])) {
        for (const name of variablesIn(text)) {
          const by = extractedBy.get(name);
          if (by !== undefined && by < index) continue;
          const known = [...extractedBy].filter(([, at]) => at < index).map(([n]) => n);
          ctx.addIssue({
            code: "custom",
            path,
            message:
              by === undefined
                ? `\${var:…} naming a value an earlier step extracts (${known.length > 0 ? known.join(", ") : "none does"}), found \${var:${name}}, which no step extracts`
                : `\${var:…} naming a value an earlier step extracts, found \${var:${name}}, which ${by === index ? "this step" : `step "${steps[by]?.name}"`} extracts only after it runs`,
          });
        }
      }
    });
  }, everyList)
  .meta({
    description: `A flow of up to ${MAX_STEPS} http, tcp, tls or dns steps run in order; values extracted by one are \${var:NAME} in later ones.`,
  });

export type StepsConfig = z.output<typeof stepsConfig>;

/** The value as a mapping, or an empty one: a refinement that runs on what was written reads it so. */
function mapping(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
