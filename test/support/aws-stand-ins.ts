/**
 * Local stand-ins for the AWS APIs with no local implementation, speaking the wire protocols the SDK
 * clients really use, so their serialisation, retries and timeouts are exercised: SNS (awsQuery:
 * form POST, XML answers), CloudWatch (AWS JSON 1.0, query-compatible errors) and Secrets Manager
 * (AWS JSON 1.1). Each can be told, per operation, to hang, fail with a 5xx, throttle or deny.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { httpTarget, type Target } from "./servers.js";

export type Behaviour = "ok" | "hang" | "error500" | "throttle" | "deny";

export interface StandInRequest {
  operation: string;
  /** The parsed body: form fields for SNS, JSON for the others. */
  body: Record<string, unknown>;
  at: number;
  behaviour: Behaviour;
}

/** One published SNS message, as SNS accepted it. */
export interface Published {
  subject: string;
  message: string;
  attributes: Record<string, string>;
  at: number;
}

export interface StandIn extends Target {
  readonly requests: StandInRequest[];
  /** Answers the next requests of `operation` this way, one behaviour each, then `ok` again. */
  next(operation: string, ...behaviours: Behaviour[]): void;
  /** Answers every request of `operation` this way until told otherwise. */
  always(operation: string, behaviour: Behaviour): void;
}

interface Protocol {
  operation(req: http.IncomingMessage, body: string): { operation: string; parsed: Record<string, unknown> };
  answer(res: http.ServerResponse, operation: string, parsed: Record<string, unknown>): void;
  error(res: http.ServerResponse, status: number, code: string, message: string): void;
}

async function standIn(protocol: Protocol): Promise<StandIn> {
  const queued = new Map<string, Behaviour[]>();
  const fixed = new Map<string, Behaviour>();
  const requests: StandInRequest[] = [];
  const target = await httpTarget((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const { operation, parsed } = protocol.operation(req, Buffer.concat(chunks).toString("utf8"));
      const behaviour = queued.get(operation)?.shift() ?? fixed.get(operation) ?? "ok";
      requests.push({ operation, body: parsed, at: Date.now(), behaviour });
      switch (behaviour) {
        case "hang":
          return;
        case "error500":
          return protocol.error(res, 500, "InternalFailure", "the stand-in failed on purpose");
        case "throttle":
          return protocol.error(res, 400, "Throttling", "Rate exceeded");
        case "deny":
          return protocol.error(
            res,
            400,
            "AccessDeniedException",
            "not authorized to perform this operation",
          );
        default:
          return protocol.answer(res, operation, parsed);
      }
    });
  });
  return {
    ...target,
    requests,
    next: (operation, ...behaviours) =>
      queued.set(operation, [...(queued.get(operation) ?? []), ...behaviours]),
    always: (operation, behaviour) => fixed.set(operation, behaviour),
  };
}

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** SNS, awsQuery: PublishBatch with per-entry results; `published` holds what was accepted. */
export async function snsStandIn(): Promise<StandIn & { published: Published[] }> {
  const published: Published[] = [];
  const server = await standIn({
    operation: (_req, body) => {
      const form = new URLSearchParams(body);
      return { operation: form.get("Action") ?? "?", parsed: Object.fromEntries(form) };
    },
    answer: (res, operation, form) => {
      if (operation !== "PublishBatch") return jsonError(res, 400, "InvalidAction", operation);
      const field = (key: string) => form[key] as string | undefined;
      const ids: string[] = [];
      for (let n = 1; field(`PublishBatchRequestEntries.member.${n}.Id`) !== undefined; n++) {
        const entry = `PublishBatchRequestEntries.member.${n}`;
        const attributes: Record<string, string> = {};
        for (let m = 1; field(`${entry}.MessageAttributes.entry.${m}.Name`) !== undefined; m++)
          attributes[field(`${entry}.MessageAttributes.entry.${m}.Name`) as string] =
            field(`${entry}.MessageAttributes.entry.${m}.Value.StringValue`) ?? "";
        published.push({
          subject: field(`${entry}.Subject`) ?? "",
          message: field(`${entry}.Message`) ?? "",
          attributes,
          at: Date.now(),
        });
        ids.push(field(`${entry}.Id`) as string);
      }
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(
          `<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful>${ids
            .map((id) => `<member><Id>${xml(id)}</Id><MessageId>${randomUUID()}</MessageId></member>`)
            .join(
              "",
            )}</Successful><Failed/></PublishBatchResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishBatchResponse>`,
        );
    },
    error: (res, status, code, message) =>
      res
        .writeHead(status, { "content-type": "text/xml" })
        .end(
          `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${status >= 500 ? "Receiver" : "Sender"}</Type><Code>${code === "AccessDeniedException" ? "AuthorizationError" : code}</Code><Message>${xml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        ),
  });
  return Object.assign(server, { published });
}

function jsonError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  queryCompatible = false,
) {
  res
    .writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      ...(queryCompatible
        ? { "x-amzn-query-error": `${code};${status >= 500 ? "Receiver" : "Sender"}` }
        : {}),
    })
    .end(JSON.stringify({ __type: code, message }));
}

function jsonProtocol(
  answers: Record<string, (body: Record<string, unknown>) => unknown>,
  queryCompatible: boolean,
): Protocol {
  return {
    operation: (req, body) => ({
      operation: String(req.headers["x-amz-target"] ?? "?")
        .split(".")
        .pop() as string,
      parsed: body ? (JSON.parse(body) as Record<string, unknown>) : {},
    }),
    answer: (res, operation, body) => {
      const answer = answers[operation];
      if (!answer) return jsonError(res, 400, "UnknownOperationException", operation, queryCompatible);
      const result = answer(body);
      if (result instanceof Error) return jsonError(res, 400, result.name, result.message, queryCompatible);
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify(result));
    },
    error: (res, status, code, message) => jsonError(res, status, code, message, queryCompatible),
  };
}

/** CloudWatch, AWS JSON 1.0: PutMetricData; `datums` holds every datum accepted. */
export async function cloudwatchStandIn(): Promise<StandIn & { datums: { MetricName: string }[] }> {
  const datums: { MetricName: string }[] = [];
  const server = await standIn(
    jsonProtocol(
      {
        PutMetricData: (body) => {
          datums.push(...((body.MetricData as { MetricName: string }[]) ?? []));
          return {};
        },
      },
      true,
    ),
  );
  return Object.assign(server, { datums });
}

/** Secrets Manager, AWS JSON 1.1: GetSecretValue from `secrets` (by id or ARN). */
export function secretsManagerStandIn(secrets: Record<string, string>): Promise<StandIn> {
  return standIn(
    jsonProtocol(
      {
        GetSecretValue: (body) => {
          const id = String(body.SecretId);
          const value = secrets[id];
          if (value === undefined)
            return Object.assign(new Error("Secrets Manager can't find the specified secret."), {
              name: "ResourceNotFoundException",
            });
          return { ARN: id, Name: id, SecretString: value, VersionId: randomUUID() };
        },
      },
      false,
    ),
  );
}

/** Anything that speaks JSON over HTTP and never answers: a DynamoDB that hangs. */
export async function hangingStandIn(): Promise<StandIn> {
  const server = await standIn(jsonProtocol({}, false));
  server.always("BatchGetItem", "hang");
  server.always("PutItem", "hang");
  return server;
}

/**
 * A proxy in front of a JSON-protocol service that holds the first `count` requests of `operation`
 * until all of them have arrived (or `maxWaitMs` passed), then forwards them together; later ones
 * pass straight through. Racing callers are made to race.
 */
export async function barrierProxy(upstream: string, operation: string, count: number, maxWaitMs = 10_000) {
  let waiting: (() => void)[] = [];
  let arrived = 0;
  const release = () => {
    for (const go of waiting) go();
    waiting = [];
  };
  return httpTarget((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      if (String(req.headers["x-amz-target"] ?? "").endsWith(`.${operation}`) && ++arrived <= count) {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length >= count) release();
          else setTimeout(release, maxWaitMs).unref();
        });
      }
      const answer = await fetch(`${upstream}${req.url ?? "/"}`, {
        method: req.method ?? "POST",
        headers: Object.fromEntries(
          Object.entries(req.headers).filter(([name]) => name !== "host" && name !== "content-length"),
        ) as Record<string, string>,
        body,
      });
      res
        .writeHead(answer.status, Object.fromEntries(answer.headers))
        .end(Buffer.from(await answer.arrayBuffer()));
    });
  });
}
