/** NodejsFunction's bundling for Watchpost's functions: the options of lib/deploy/bundle.ts, as CDK names them. */
import { type BundlingOptions, type ICommandHooks, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { FUNCTION_BUNDLE } from "../deploy/bundle.js";

export function functionBundling(commandHooks?: ICommandHooks): BundlingOptions {
  return {
    // The runtime's AWS SDK (lib/deploy/bundle.ts says why); nothing else is left out.
    externalModules: [...FUNCTION_BUNDLE.external],
    format: OutputFormat.ESM,
    target: FUNCTION_BUNDLE.target,
    minify: FUNCTION_BUNDLE.minify,
    sourceMap: FUNCTION_BUNDLE.sourceMap,
    mainFields: [...FUNCTION_BUNDLE.mainFields],
    banner: FUNCTION_BUNDLE.banner,
    ...(commandHooks ? { commandHooks } : {}),
  };
}
