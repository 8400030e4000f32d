/**
 * The status page's home: a private bucket the probe function writes, with CloudFront in front of it
 * only when the page is asked to be public.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import * as cloudfront from "aws-cdk-lib/aws-cloudfront";
import * as origins from "aws-cdk-lib/aws-cloudfront-origins";
import * as s3 from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import type { PageWriter } from "../status/publish.js";
import type { WatchpostProps } from "./props.js";

export interface StatusPage {
  bucket: s3.Bucket;
  distribution?: cloudfront.Distribution;
}

/** The page as configured, defaults applied. */
export interface StatusPageSettings {
  groupBy: string;
  title: string;
  public: boolean;
}

/** The objects the probe function writes (lib/status/publish.ts), and may write. */
export const STATUS_PAGE_OBJECTS: Parameters<PageWriter>[0][] = ["index.html", "status.json"];

/** The page's settings; undefined when none is written (turned off, or no history to make it from). */
export function statusPageSettings(
  props: Pick<WatchpostProps, "history" | "statusPage">,
): StatusPageSettings | undefined {
  if (props.history === false || props.statusPage === false) return undefined;
  const page = props.statusPage ?? {};
  return { groupBy: page.groupBy ?? "team", title: page.title ?? "Status", public: page.public ?? false };
}

export function statusPage(scope: Construct, settings: StatusPageSettings): StatusPage {
  const bucket = new s3.Bucket(scope, "StatusPage", {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // The probe function writes the page after every run: emptied first, the bucket can go with the
    // stack (CloudFormation cannot delete a bucket that holds objects).
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  if (!settings.public) return { bucket };
  const distribution = new cloudfront.Distribution(scope, "StatusPageCdn", {
    comment: "Watchpost status page",
    defaultRootObject: "index.html",
    defaultBehavior: {
      origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
    },
  });
  return { bucket, distribution };
}
