/**
 * Every IAM statement of a template as one line each: whose it is (a role's policy, or a resource's
 * own policy), effect, principal, actions, resources and conditions, with CloudFormation references
 * written as `<LogicalId>` (hash suffixes removed) so a table of them reads like the policy.
 */

type Json = unknown;

interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
}

interface Statement {
  Effect: string;
  Principal?: Json;
  Action?: Json;
  Resource?: Json;
  Condition?: Json;
}

/** A logical ID without the 8-hex-digit hash CDK appends. */
const name = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, "");

/** A value with its intrinsic functions written out: `<Id>`, `<Id.Attr>`, joins concatenated. */
export function render(value: Json): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(render).join(", ");
  const object = value as Record<string, Json>;
  if (typeof object.Ref === "string")
    return object.Ref.startsWith("AWS::") ? `\${${object.Ref}}` : `<${name(object.Ref)}>`;
  const getAtt = object["Fn::GetAtt"] as string[] | undefined;
  if (getAtt) return `<${name(getAtt[0] as string)}.${getAtt[1]}>`;
  if (typeof object["Fn::Sub"] === "string") return object["Fn::Sub"];
  const join = object["Fn::Join"] as [string, Json[]] | undefined;
  if (join) return join[1].map(render).join(join[0]);
  return JSON.stringify(
    Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, render(inner)])),
  );
}

const list = (value: Json): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function principal(value: Json): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return Object.entries(value as Record<string, Json>)
    .map(([kind, who]) => `${kind}:${list(who).map(render).join("+")}`)
    .join(" ");
}

function conditions(value: Json): string {
  if (!value) return "";
  return Object.entries(value as Record<string, Record<string, Json>>)
    .flatMap(([operator, keys]) =>
      Object.entries(keys).map(([key, values]) => `${operator} ${key} ${list(values).map(render).join("|")}`),
    )
    .join("; ");
}

/** The statements of every policy in the template: roles' policies and resource policies alike. */
export function iamStatements(template: { Resources: Record<string, Resource> }): string[] {
  const lines: string[] = [];
  const add = (owner: string, document: Json) => {
    for (const st of list((document as { Statement?: Json })?.Statement) as Statement[])
      lines.push(
        [
          owner,
          st.Effect,
          principal(st.Principal),
          list(st.Action).map(render).join(" "),
          list(st.Resource).map(render).join(" "),
          conditions(st.Condition),
        ].join(" | "),
      );
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case "AWS::IAM::Policy":
        add(`${list(props.Roles).map(render).join("+")} policy`, props.PolicyDocument);
        break;
      case "AWS::IAM::Role":
        add(`<${name(id)}> trust`, props.AssumeRolePolicyDocument);
        for (const policy of list(props.Policies) as { PolicyDocument: Json }[])
          add(`<${name(id)}> inline`, policy.PolicyDocument);
        if (props.ManagedPolicyArns)
          lines.push(`<${name(id)}> managed | ${list(props.ManagedPolicyArns).map(render).join(" ")}`);
        break;
      case "AWS::KMS::Key":
        add(`<${name(id)}> key policy`, props.KeyPolicy);
        break;
      case "AWS::S3::BucketPolicy":
        add(`${render(props.Bucket)} bucket policy`, props.PolicyDocument);
        break;
      case "AWS::SNS::TopicPolicy":
        add(`${list(props.Topics).map(render).join("+")} topic policy`, props.PolicyDocument);
        break;
      case "AWS::SQS::QueuePolicy":
        add(`${list(props.Queues).map(render).join("+")} queue policy`, props.PolicyDocument);
        break;
      case "AWS::Lambda::Permission":
        lines.push(
          `<${name(id)}> lambda permission | ${render(props.Principal)} | ${render(props.Action)} | ${render(props.FunctionName)} | ${render(props.SourceArn ?? "")}`,
        );
        break;
      case "AWS::Lambda::Function":
      case "AWS::CloudFormation::CustomResource":
        break;
    }
  }
  return lines;
}
