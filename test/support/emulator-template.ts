/**
 * A synthesized template as moto's CloudFormation can deploy it. Its CloudFormation has no
 * implementation of some resource types (it skips them, and a reference to one fails the deploy):
 * those are taken out, each reference to one becomes a placeholder, and the test covers them by
 * template assertion instead. Functions get inline code (moto would need Docker to run them; the
 * test runs the bundled code itself), and CDK's bootstrap version check goes (no SSM parameter).
 */

/** Resource types moto 5.2's CloudFormation does not create. */
export const EMULATOR_LACKS = [
  "AWS::Scheduler::ScheduleGroup",
  "AWS::Scheduler::Schedule",
  "AWS::CloudWatch::Alarm",
  "AWS::SNS::TopicPolicy",
  "AWS::SNS::Subscription",
  "AWS::SQS::QueuePolicy",
  "AWS::S3::BucketPolicy",
  "AWS::Lambda::EventInvokeConfig",
  "AWS::SecretsManager::Secret",
  "AWS::ApiGatewayV2::Api",
  "AWS::ApiGatewayV2::Stage",
  "AWS::ApiGatewayV2::Route",
  "AWS::ApiGatewayV2::Integration",
  "AWS::CloudFront::Distribution",
  "AWS::CloudFront::OriginAccessControl",
  // A custom resource needs its function invoked, which moto does in Docker.
  "Custom::S3AutoDeleteObjects",
];

type Json = unknown;
interface Template {
  Resources: Record<
    string,
    { Type: string; DependsOn?: string | string[]; Properties?: Record<string, Json> }
  >;
  Outputs?: Record<string, Json>;
  Parameters?: Record<string, Json>;
  Rules?: Json;
}

export function forEmulator(synthesized: Template): { template: Template; removed: Record<string, string> } {
  const template = structuredClone(synthesized);
  const removed: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources))
    if (EMULATOR_LACKS.includes(resource.Type)) {
      removed[id] = resource.Type;
      delete template.Resources[id];
    }
  const replace = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(replace);
    if (!value || typeof value !== "object") return value;
    const object = value as Record<string, Json>;
    const target =
      typeof object.Ref === "string"
        ? object.Ref
        : Array.isArray(object["Fn::GetAtt"])
          ? (object["Fn::GetAtt"][0] as string)
          : undefined;
    if (target && removed[target]) return `not-emulated-${target}`;
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, replace(inner)]));
  };
  for (const resource of Object.values(template.Resources)) {
    if (resource.DependsOn) resource.DependsOn = [resource.DependsOn].flat().filter((id) => !removed[id]);
    resource.Properties = replace(resource.Properties) as Record<string, Json>;
    if (resource.Type === "AWS::Lambda::Function" && resource.Properties)
      resource.Properties.Code = { ZipFile: "exports.handler = async () => ({});" };
  }
  template.Outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {}).filter(
      ([, output]) => !JSON.stringify(replace(output)).includes("not-emulated-"),
    ),
  );
  delete template.Rules;
  delete template.Parameters?.BootstrapVersion;
  return { template, removed };
}
