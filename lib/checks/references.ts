/** `${env:NAME}`, `${secret:ID}`, `${ssm:NAME}` in check configs, resolved at run time only. */
import { CheckSetupError } from "../probes/probe.js";
import { REFERENCE } from "./syntax.js";

/** Looks up one reference's value; throws a ReferenceResolutionError when it cannot. */
export type ReferenceLookup = (id: string) => Promise<string> | string;
export type Resolvers = Partial<Record<string, ReferenceLookup>>;

export class ReferenceResolutionError extends CheckSetupError {
  override name = "ReferenceResolutionError";
}

export const envResolver: ReferenceLookup = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new ReferenceResolutionError(`\${env:${name}} is not set`);
  return value;
};

/**
 * A copy of `value` with every reference in its strings replaced. Values are never put into error
 * texts, so a failed resolution cannot leak a neighbouring secret.
 */
export async function resolveReferences<T>(value: T, resolvers: Resolvers): Promise<T> {
  // Most checks hold no reference: hand back the config itself, with no copy and no awaiting.
  return mentionsReference(value) ? resolveAll(value, resolvers) : value;
}

function mentionsReference(value: unknown): boolean {
  if (typeof value === "string") return value.includes("${");
  if (value !== null && typeof value === "object") return Object.values(value).some(mentionsReference);
  return false;
}

async function resolveAll<T>(value: T, resolvers: Resolvers): Promise<T> {
  if (typeof value === "string") return (await resolveString(value, resolvers)) as T;
  if (Array.isArray(value)) return (await Promise.all(value.map((item) => resolveAll(item, resolvers)))) as T;
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, item]) => [key, await resolveAll(item, resolvers)] as const),
    );
    return Object.fromEntries(entries) as T;
  }
  return value;
}

async function resolveString(text: string, resolvers: Resolvers): Promise<string> {
  if (!text.includes("${")) return text;
  const matches = [...text.matchAll(REFERENCE)];
  const values = await Promise.all(
    matches.map(async ([whole, provider, id]) => {
      const lookup = resolvers[provider as string];
      if (!lookup) {
        throw new ReferenceResolutionError(
          `${whole} cannot be resolved here: ${provider} references are resolved by the deployed monitor; use \${env:…} for local runs`,
        );
      }
      return lookup(id as string);
    }),
  );
  let index = 0;
  return text.replace(REFERENCE, () => values[index++] as string).replaceAll("$${", "${");
}
