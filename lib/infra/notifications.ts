/**
 * Where notifications go: an encrypted topic, its subscriptions filtered by severity and labels, and
 * the key that encrypts the topic and the dead-letter queue.
 */
import { Aws, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import type { WatchpostSubscription } from "./props.js";

/** Most keys an SNS filter policy takes. */
const MAX_FILTER_KEYS = 5;

export function notifications(
  scope: Construct,
  subscribers: WatchpostSubscription[],
): { key: kms.Key; topic: sns.Topic } {
  const key = new kms.Key(scope, "Key", {
    enableKeyRotation: true,
    description: "Watchpost: notifications topic and queues",
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // CloudWatch alarms publish to the topic, so CloudWatch may use the key: for this account's alarms
  // only (the confused-deputy guard a service principal needs).
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      conditions: { StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID } },
    }),
  );
  const topic = new sns.Topic(scope, "Topic", { masterKey: key, enforceSSL: true, displayName: "Watchpost" });
  for (const [index, subscriber] of subscribers.entries()) subscribe(topic, index, subscriber);
  return { key, topic };
}

function subscribe(topic: sns.Topic, index: number, s: WatchpostSubscription): void {
  const endpoints = [s.email, s.url, s.queue, s.function].filter((e) => e !== undefined);
  if (endpoints.length !== 1)
    throw new Error(`subscriptions[${index}]: give exactly one of email, url, queue or function`);
  const filter: Record<string, sns.SubscriptionFilter> = {};
  if (s.severities) filter.severity = sns.SubscriptionFilter.stringFilter({ allowlist: s.severities });
  for (const [name, values] of Object.entries(s.labels ?? {}))
    filter[name] = sns.SubscriptionFilter.stringFilter({ allowlist: values });
  if (Object.keys(filter).length > MAX_FILTER_KEYS)
    throw new Error(`subscriptions[${index}]: SNS filter policies take at most ${MAX_FILTER_KEYS} keys`);
  const options = Object.keys(filter).length > 0 ? { filterPolicy: filter } : {};
  if (s.email) topic.addSubscription(new subscriptions.EmailSubscription(s.email, options));
  if (s.url) topic.addSubscription(new subscriptions.UrlSubscription(s.url, options));
  if (s.queue) topic.addSubscription(new subscriptions.SqsSubscription(s.queue, options));
  if (s.function) topic.addSubscription(new subscriptions.LambdaSubscription(s.function, options));
}
