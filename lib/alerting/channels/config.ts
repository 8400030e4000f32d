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
import { type ChannelSpec, channelTexts } from "../notifiers/channel.js";
import { CHANNEL_KINDS, type ChannelKind } from "./formats.js";

const severity = z.enum(SEVERITIES, { error: `one of ${SEVERITIES.join(", ")}` });
const target = z.string({ error: "a URL or a ${secret:ID} / ${env:NAME} reference" }).min(1);

const text = z.string({ error: "a text or a ${secret:ID} / ${env:NAME} reference" }).min(1);
/** Fields only Alertmanager takes (its credentials). */
const ALERTMANAGER_ONLY = ["basicAuth", "bearerToken", "tls"] as const;

const channel = z
  .strictObject({
    name: z.string({ error: "a name" }).optional(),
    ...Object.fromEntries(
      CHANNEL_KINDS.filter((kind) => kind !== "alertmanager").map((kind) => [kind, target.optional()]),
    ),
    alertmanager: z
      .union([target, z.array(target).min(1, { error: "at least one Alertmanager URL in the list" })], {
        error: "an Alertmanager base URL (or reference), or a list of them (an HA set)",
      })
      .optional(),
    basicAuth: z
      .strictObject({ username: text, password: text }, { error: "{ username, password }" })
      .optional(),
    bearerToken: text.optional(),
    tls: z
      .strictObject(
        { ca: text.optional(), cert: text.optional(), key: text.optional() },
        {
          error: "{ ca, cert, key } as PEM text or references",
        },
      )
      .optional(),
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
    if (value.alertmanager === undefined)
      for (const field of ALERTMANAGER_ONLY)
        if (value[field] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [field],
            message: `no ${field} on this channel: only an alertmanager channel takes credentials (a Slack, Teams or webhook URL is its own secret; PagerDuty's routing key is)`,
          });
    if (value.basicAuth && value.bearerToken)
      ctx.addIssue({
        code: "custom",
        path: ["bearerToken"],
        message: "basicAuth or bearerToken, not both (both would be sent as the one Authorization header)",
      });
    if (value.tls && (value.tls.cert === undefined) !== (value.tls.key === undefined))
      ctx.addIssue({
        code: "custom",
        path: ["tls"],
        message: `cert and key together (a client certificate needs both), found only ${value.tls.cert ? "cert" : "key"}`,
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
        const known = ["name", ...CHANNEL_KINDS, "eventsUrl", ...ALERTMANAGER_ONLY, "severities", "labels"];
        return issue.keys.map((key) => {
          const suggestion = didYouMean(key, known);
          return `${at(offset)}: ${where}: unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ""} (expected one of: ${known.join(", ")})`;
        });
      }
      return [`${at(offset)}: ${where}: expected ${issue.message}`];
    });
    throw new ChannelsFileError(lines.join("\n"));
  }
  return parsed.data.channels.map((c, i) => {
    const kind = CHANNEL_KINDS.find((k) => (c as Record<string, unknown>)[k] !== undefined) as ChannelKind;
    const labels = Object.fromEntries(
      Object.entries(c.labels ?? {}).map(([name, v]) => [name, typeof v === "string" ? [v] : v]),
    );
    const targets = [(c as Record<string, string | string[]>)[kind] as string | string[]].flat();
    const auth = {
      ...(c.basicAuth ? { basic: c.basicAuth } : {}),
      ...(c.bearerToken ? { bearerToken: c.bearerToken } : {}),
      ...(c.tls ? { tls: c.tls } : {}),
    };
    return {
      kind,
      target: targets[0] as string,
      ...(targets.length > 1 ? { replicas: targets.slice(1) } : {}),
      ...(Object.keys(auth).length > 0 ? { auth } : {}),
      ...(c.eventsUrl ? { eventsUrl: c.eventsUrl } : {}),
      ...(c.severities || c.labels
        ? {
            route: {
              ...(c.severities ? { severities: c.severities } : {}),
              ...(c.labels ? { labels } : {}),
            },
          }
        : {}),
      source: at(offsetOf(doc.contents as Node | null, ["channels", i, kind])),
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

/**
 * Deployed, every target and credential must be a `${secret:…}` or `${ssm:…}` reference: nothing
 * secret in the template, and nothing the function could not resolve (an `${env:…}`). Each problem
 * is placed where the channel's file wrote it, or named `fileName` for channels given in code.
 */
export function deployProblems(channels: readonly ChannelSpec[], fileName: string): string[] {
  return channels.flatMap((c, i) =>
    channelTexts(c).flatMap((value) =>
      /^\$\{(secret|ssm):[^}]+\}$/.test(value)
        ? []
        : [
            `${c.source ?? fileName}: channels[${i}].${c.kind}: expected a \${secret:ID} or \${ssm:NAME} reference to deploy (URLs, keys and credentials must not be in the template), found ${value.startsWith("${") ? value : "a plain value"}`,
          ],
    ),
  );
}
