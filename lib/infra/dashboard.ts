/**
 * The monitor's dashboard: per-check graphs when per-check metrics are written, the monitor's own
 * always, the heartbeat endpoint's when there is one, and every location's from the home.
 */
import { Duration } from "aws-cdk-lib";
import type * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import type * as lambda from "aws-cdk-lib/aws-lambda";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { Shard } from "../deploy/compile.js";
import { LOCATION_SILENT } from "../runtime/monitor-metrics.js";
import { formatDuration } from "../units.js";
import type { Placement } from "./placement.js";

export interface DashboardInput {
  functions: lambda.Function[];
  deadLetterQueue: sqs.IQueue;
  shards: Shard[];
  namespace: string;
  checkMetrics: boolean;
  /** The heartbeat ping endpoint, when there is one here. */
  pingApi: apigw.HttpApi | undefined;
  placed: Placement | undefined;
}

export function monitorDashboard(scope: Construct, input: DashboardInput): cloudwatch.Dashboard {
  const { namespace } = input;
  const dashboard = new cloudwatch.Dashboard(scope, "Dashboard", { defaultInterval: Duration.hours(6) });
  const intervals = [...new Set(input.shards.map((s) => formatDuration(s.intervalMs)))];
  /** The heartbeat of one interval's runs, here or in another region. */
  const results = (interval: string, region?: string) =>
    new cloudwatch.Metric({
      namespace,
      metricName: "Results",
      dimensionsMap: { Interval: interval },
      statistic: "Sum",
      ...(region ? { region, label: `${region} ${interval}` } : {}),
    });
  const insights = (label: string, query: string) =>
    new cloudwatch.MathExpression({
      expression: query,
      label,
      period: Duration.minutes(5),
      usingMetrics: {},
    });
  if (input.checkMetrics)
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Success by check (the 25 worst)",
        width: 12,
        left: [
          insights(
            "success",
            `SELECT AVG(Success) FROM SCHEMA("${namespace}", Check, Kind) GROUP BY Check ORDER BY AVG() ASC LIMIT 25`,
          ),
        ],
        leftYAxis: { min: 0, max: 1 },
      }),
      new cloudwatch.GraphWidget({
        title: "Latency by check, ms (the 25 slowest)",
        width: 12,
        left: [
          insights(
            "duration",
            `SELECT MAX(Duration) FROM SCHEMA("${namespace}", Check, Kind) GROUP BY Check ORDER BY MAX() DESC LIMIT 25`,
          ),
        ],
      }),
    );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: "Monitor: invocations, errors, throttles",
      width: 8,
      left: input.functions.flatMap((fn) => [
        fn.metricInvocations(),
        fn.metricErrors(),
        fn.metricThrottles(),
      ]),
    }),
    new cloudwatch.GraphWidget({
      title: "Monitor: duration (max), ms",
      width: 8,
      left: input.functions.map((fn) => fn.metricDuration({ statistic: "Maximum" })),
    }),
    new cloudwatch.GraphWidget({
      title: "Monitor: results per interval, dead letters",
      width: 8,
      left: intervals.map((interval) => results(interval)),
      right: [input.deadLetterQueue.metricApproximateNumberOfMessagesVisible()],
    }),
  );
  const pingApi = input.pingApi;
  if (pingApi)
    dashboard.addWidgets(
      // Per check only with per-check metrics (HeartbeatAge is one); the API's own metrics always.
      ...(input.checkMetrics
        ? [
            new cloudwatch.GraphWidget({
              title: "Heartbeats: seconds since the last ping",
              width: 12,
              left: [
                insights(
                  "age",
                  `SELECT MAX(HeartbeatAge) FROM SCHEMA("${namespace}", Check, Kind) WHERE Kind = 'heartbeat' GROUP BY Check ORDER BY MAX() DESC LIMIT 25`,
                ),
              ],
            }),
          ]
        : []),
      new cloudwatch.GraphWidget({
        title: "Heartbeats: pings received, refused (4xx), failed (5xx)",
        width: 12,
        left: [
          pingApi.metricCount({ statistic: "Sum" }),
          pingApi.metricClientError({ statistic: "Sum" }),
          pingApi.metricServerError({ statistic: "Sum" }),
        ],
      }),
    );
  // The home's view of every location: results each region's function sent (CloudWatch is
  // regional; a dashboard may graph another region's metrics), and which went silent.
  const placed = input.placed;
  if (placed && !placed.remote) {
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Locations: results sent, by region",
        width: 12,
        left: placed.regions.flatMap((region) => intervals.map((interval) => results(interval, region))),
      }),
      new cloudwatch.GraphWidget({
        title: "Locations: runs without a report, by region",
        width: 12,
        left: placed.regions
          .filter((region) => region !== placed.home)
          .map(
            (location) =>
              new cloudwatch.Metric({
                namespace,
                metricName: LOCATION_SILENT,
                dimensionsMap: { Location: location },
                statistic: "Sum",
                label: location,
              }),
          ),
      }),
    );
  }
  return dashboard;
}
