/**
 * Limits that only CloudFormation, Lambda or IAM enforce, at deploy time: checked at synth instead,
 * each refusal naming what would fail, by how much, and what to change. Values CloudFormation fills
 * in at deploy (a table's generated name, an ARN) are counted at `DEPLOY_VALUE_BYTES` each.
 */
import { CfnElement, CfnResource, Stack } from "aws-cdk-lib";
import type * as iam from "aws-cdk-lib/aws-iam";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";

export const LIMITS = {
  /** Lambda: every environment variable's name and value together. */
  environmentBytes: 4_096,
  /** IAM: a role's inline policies together, whitespace not counted. */
  rolePolicyChars: 10_240,
  /**
   * IAM: managed policies attached to a role (the quota's most; 10 unless raised). CDK moves what
   * outgrows a role's inline policy into managed "overflow" policies of 6 KB each.
   */
  roleManagedPolicies: 20,
  /** IAM: one managed policy, whitespace not counted. */
  managedPolicyChars: 6_144,
  /** CloudFormation: a template uploaded through S3 (as CDK deploys). */
  templateBytes: 1_048_576,
  resources: 500,
  /** DynamoDB table names: 3 to 255 of these characters. */
  tableName: /^[A-Za-z0-9_.-]{3,255}$/,
  /** CloudWatch namespaces: at most 255 characters, not starting with `AWS/`. */
  namespaceChars: 255,
} as const;

/** What a value CloudFormation resolves at deploy time is counted as. */
export const DEPLOY_VALUE_BYTES = 100;

/** The pseudo parameters' longest values (`aws-iso-b`, `ap-southeast-5`, twelve digits …). */
const PSEUDO_BYTES: Record<string, number> = {
  "AWS::Partition": 10,
  "AWS::Region": 14,
  "AWS::AccountId": 12,
  "AWS::URLSuffix": 13,
};

/** The bytes a reference resolves to at deploy time, at most. */
function deployValueBytes(value: unknown): number {
  const ref = (value as { Ref?: unknown } | null)?.Ref;
  return typeof ref === "string" ? (PSEUDO_BYTES[ref] ?? DEPLOY_VALUE_BYTES) : DEPLOY_VALUE_BYTES;
}

/** The length of a resolved value as JSON, each intrinsic function counted as a deployed value. */
export function estimatedBytes(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value).length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + estimatedBytes(item) + 1, 2);
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::")))
    return keys[0] === "Fn::Join"
      ? ((object["Fn::Join"] as [string, unknown[]])[1] ?? []).reduce(
          (sum: number, part) =>
            sum + (typeof part === "string" ? Buffer.byteLength(part) : deployValueBytes(part)),
          0,
        )
      : deployValueBytes(object);
  return keys.reduce((sum, key) => sum + key.length + 4 + estimatedBytes(object[key]), 2);
}

export interface LimitSubjects {
  functions: lambda.Function[];
  tableName: string | undefined;
  namespace: string;
}

/** Every limit the construct's resources and its stack would exceed, as messages. */
export function deployLimitProblems(scope: IConstruct, subjects: LimitSubjects): string[] {
  const stack = Stack.of(scope);
  const problems: string[] = [];
  for (const fn of subjects.functions) {
    const variables = (
      stack.resolve((fn.node.defaultChild as lambda.CfnFunction).environment) as
        | { variables?: Record<string, unknown> }
        | undefined
    )?.variables;
    const bytes = Object.entries(variables ?? {}).reduce(
      (sum, [name, value]) =>
        sum +
        Buffer.byteLength(name) +
        (typeof value === "string" ? Buffer.byteLength(value) : estimatedBytes(value)),
      0,
    );
    if (bytes > LIMITS.environmentBytes)
      problems.push(
        `${fn.node.path}: its environment variables would be about ${bytes} bytes, and Lambda takes at most ${LIMITS.environmentBytes} (the deploy would fail): ${largest(variables ?? {})}`,
      );
  }
  const roles = new Set(subjects.functions.map((fn) => fn.role).filter((role) => role !== undefined));
  for (const role of roles) {
    const inline = policiesOf(role, stack, "AWS::IAM::Policy").reduce<number>(
      (sum, document) => sum + estimatedBytes(document),
      0,
    );
    if (inline > LIMITS.rolePolicyChars)
      problems.push(
        `${role.node.path}: its inline policies would be about ${inline} characters, and IAM takes at most ${LIMITS.rolePolicyChars} per role (the deploy would fail)`,
      );
    const managed = policiesOf(role, stack, "AWS::IAM::ManagedPolicy");
    const largest = Math.max(0, ...managed.map(estimatedBytes));
    if (largest > LIMITS.managedPolicyChars)
      problems.push(
        `${role.node.path}: a managed policy would be about ${largest} characters, and IAM takes at most ${LIMITS.managedPolicyChars} (the deploy would fail)`,
      );
    const cfnRole = role.node.defaultChild as iam.CfnRole | undefined;
    const attached =
      managed.length + ((stack.resolve(cfnRole?.managedPolicyArns) as unknown[] | undefined)?.length ?? 0);
    if (attached > LIMITS.roleManagedPolicies)
      problems.push(
        `${role.node.path}: ${attached} managed policies would be attached (its grants outgrow the inline policy: every secret, parameter and backup resource its checks reference), and IAM attaches at most ${LIMITS.roleManagedPolicies} to a role (the deploy would fail): split the checks over deployments, or reference fewer distinct secrets (one secret can hold several values)`,
      );
  }
  if (subjects.tableName !== undefined && !LIMITS.tableName.test(subjects.tableName))
    problems.push(
      `locations.stateTableName: expected 3 to 255 letters, digits, '_', '-' or '.' (DynamoDB's table names), found "${subjects.tableName}"`,
    );
  if (subjects.namespace.length > LIMITS.namespaceChars || subjects.namespace.startsWith("AWS/"))
    problems.push(
      `namespace: expected at most ${LIMITS.namespaceChars} characters, not starting with AWS/ (CloudWatch's namespaces), found "${subjects.namespace.slice(0, 40)}${subjects.namespace.length > 40 ? "…" : ""}" (${subjects.namespace.length} characters)`,
    );
  const elements = stack.node.findAll().filter((c): c is CfnElement => c instanceof CfnElement);
  const resources = elements.filter((e) => e instanceof CfnResource).length;
  if (resources > LIMITS.resources)
    problems.push(
      `${stack.stackName}: ${resources} resources, and CloudFormation takes at most ${LIMITS.resources} in a stack (the deploy would fail)`,
    );
  const templateBytes = elements.reduce(
    (sum, element) => sum + Buffer.byteLength(JSON.stringify(stack.resolve(element._toCloudFormation()))),
    0,
  );
  if (templateBytes > LIMITS.templateBytes)
    problems.push(
      `${stack.stackName}: the template would be about ${templateBytes} bytes, and CloudFormation takes at most ${LIMITS.templateBytes} (the deploy would fail)`,
    );
  return problems;
}

/** The policy documents of one type attached to a role, resolved. */
function policiesOf(
  role: iam.IRole,
  stack: Stack,
  type: "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy",
): unknown[] {
  return stack.node
    .findAll()
    .filter((c): c is iam.CfnPolicy => c instanceof CfnResource && c.cfnResourceType === type)
    .filter((policy) => {
      const roles = stack.resolve(policy.roles) as unknown[] | undefined;
      return JSON.stringify(roles ?? []).includes(JSON.stringify(stack.resolve(role.roleName)));
    })
    .map((policy) => stack.resolve(policy.policyDocument));
}

/** The largest variables, for the message. */
function largest(variables: Record<string, unknown>): string {
  return Object.entries(variables)
    .map(
      ([name, value]) =>
        [name, typeof value === "string" ? Buffer.byteLength(value) : estimatedBytes(value)] as const,
    )
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([name, bytes]) => `${name} about ${bytes} bytes`)
    .join(", ");
}
