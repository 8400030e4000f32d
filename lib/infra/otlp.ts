/**
 * The construct's `otlp` prop at synth: what may hold a reference (for exact IAM grants), and what is
 * refused before a deploy that could not work (an endpoint that is no URL, an `${env:…}` the function
 * cannot resolve, a header Watchpost sets itself).
 */
import { WatchpostConfigError } from "./errors.js";
import type { WatchpostOtlp } from "./props.js";

/** The endpoint and every header value: the texts a `${secret:…}` or `${ssm:…}` may sit in. */
export function otlpTexts(otlp: WatchpostOtlp): string[] {
  return [otlp.endpoint, ...Object.values(otlp.headers ?? {})];
}

export function refuseOtlpProblems(otlp: WatchpostOtlp | undefined): void {
  if (!otlp) return;
  const problems: string[] = [];
  if (!otlp.endpoint.startsWith("${")) {
    let url: URL | undefined;
    try {
      url = new URL(otlp.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
      problems.push(
        `otlp.endpoint: expected an http:// or https:// URL such as https://collector:4318/v1/metrics, found "${otlp.endpoint.slice(0, 80)}"`,
      );
    else if (url.username || url.password)
      problems.push(
        "otlp.endpoint: expected no credentials in the URL (they would be in the template); put them in otlp.headers as a ${secret:ID} reference",
      );
  }
  for (const [name, value] of Object.entries({ endpoint: otlp.endpoint, ...otlp.headers }))
    if (value.includes("${env:"))
      problems.push(
        `otlp.${name === "endpoint" ? "endpoint" : `headers.${name}`}: expected a plain value or a \${secret:ID} / \${ssm:NAME} reference, found an \${env:…} reference, which nothing sets in the deployed function`,
      );
  for (const name of Object.keys(otlp.headers ?? {}))
    if (["content-type", "content-length", "user-agent"].includes(name.toLowerCase()))
      problems.push(
        `otlp.headers.${name}: expected a header of your own; ${name} is set by Watchpost as the protocol requires`,
      );
  if (problems.length > 0)
    throw new WatchpostConfigError(`the otlp setting cannot deploy:\n${problems.join("\n")}`);
}
