/**
 * The channels file (`--channels channels.yml` locally, the app's `-c channels=…` and the
 * construct's `channels` deployed): where notifications go, routed by severity and labels. URLs and
 * keys are written as references: `${env:NAME}` locally, `${secret:ID}` deployed (never in the
 * template); a plain URL is accepted locally only.
 */
import { readFileSync } from "node:fs";
import { LineCounter, type Node, parseDocument } from "yaml";
import { z } from "zod";
import { didYouMean } from "../../checks/diagnostics.js";
import { SEVERITIES } from "../../checks/schema.js";
import { offsetOf } from "../../checks/yaml-position.js";
import type { ChannelSpec } from "../notifiers/channel.js";
import { CHANNEL_KINDS, type ChannelKind } from "./formats.js";

const severity = z.enum(SEVERITIES, { error: `one of ${SEVERITIES.join(", ")}` });
const target = z.string({ error: "a URL or a ${secret:ID} / ${env:NAME} reference" }).min(1);

const channel = z
  .strictObject({
    name: z.string({ error: "a name" }).optional(),
    ...Object.fromEntries(CHANNEL_KINDS.map((kind) => [kind, target.optional()])),
    eventsUrl: z.url({ error: "an absolute URL" }).optional(),
    severities: z.array(severity, { error: "a list of severities" }).min(1).optional(),
    labels: z
      .record(z.string(), z.union([z.string(), z.array(z.string())]), {
        error: "a mapping of label to value(s)",
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = CHANNEL_KINDS.filter((kind) => (value as Record<string, unknown>)[kind] !== undefined);
    if (kinds.length !== 1)
      ctx.addIssue({
        code: "custom",
        message: `exactly one of ${CHANNEL_KINDS.join(", ")}, found ${kinds.length === 0 ? "none" : kinds.join(" and ")}`,
      });
  });

const file = z.strictObject({ channels: z.array(channel, { error: "a list of channels" }) });

export class ChannelsFileError extends Error {
  override name = "ChannelsFileError";
}

/** Parses a channels file's text; every problem as `file:line:column: path: expected …`. */
export function parseChannels(text: string, fileName: string): ChannelSpec[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };
  if (doc.errors.length > 0)
    throw new ChannelsFileError(
      doc.errors.map((e) => `${at(e.pos[0])}: invalid YAML: ${e.message.split("\n")[0]}`).join("\n"),
    );
  const parsed = file.safeParse(doc.toJS());
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((issue) => {
      const offset = offsetOf(doc.contents as Node | null, issue.path);
      const where = issue.path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
        .join("")
        .replace(/^\./, "");
      if (issue.code === "unrecognized_keys") {
        const known = ["name", ...CHANNEL_KINDS, "eventsUrl", "severities", "labels"];
        return issue.keys.map((key) => {
          const suggestion = didYouMean(key, known);
          return `${at(offset)}: ${where}: unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ""} (expected one of: ${known.join(", ")})`;
        });
      }
      return [`${at(offset)}: ${where}: expected ${issue.message}`];
    });
    throw new ChannelsFileError(lines.join("\n"));
  }
  return parsed.data.channels.map((c) => {
    const kind = CHANNEL_KINDS.find((k) => (c as Record<string, unknown>)[k] !== undefined) as ChannelKind;
    const labels = Object.fromEntries(
      Object.entries(c.labels ?? {}).map(([name, v]) => [name, typeof v === "string" ? [v] : v]),
    );
    return {
      kind,
      target: (c as Record<string, string>)[kind] as string,
      ...(c.eventsUrl ? { eventsUrl: c.eventsUrl } : {}),
      ...(c.severities || c.labels
        ? {
            route: {
              ...(c.severities ? { severities: c.severities } : {}),
              ...(c.labels ? { labels } : {}),
            },
          }
        : {}),
    };
  });
}

export function loadChannels(path: string): ChannelSpec[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ChannelsFileError(`${path}: cannot read it (${(error as { code?: string }).code ?? error})`);
  }
  return parseChannels(text, path);
}

/** Deployed, a target must be a `${secret:…}` or `${ssm:…}` reference: nothing secret in the template. */
export function deployProblems(channels: readonly ChannelSpec[], fileName: string): string[] {
  return channels.flatMap((c, i) =>
    /^\$\{(secret|ssm):[^}]+\}$/.test(c.target)
      ? []
      : [
          `${fileName}: channels[${i}].${c.kind}: expected a \${secret:ID} or \${ssm:NAME} reference to deploy (the URL or key must not be in the template), found ${c.target.startsWith("${") ? c.target : "a plain value"}`,
        ],
  );
}
