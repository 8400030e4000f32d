import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests whose run on a second Node version adds nothing (packing, installing into a
    // fresh app, deploying into an emulator) are named *.e2e.test.ts: `.ci/run` runs them once.
    exclude: [
      ...configDefaults.exclude,
      ...(process.env.WATCHPOST_SKIP_E2E ? ["test/**/*.e2e.test.ts"] : []),
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The probe function's structured logs are asserted through injected loggers, not printed.
    // The AWS SDK's notice on Node 20 about its future releases, nine lines per process, is noise in
    // the log; test/bin/watchpost.test.ts takes it away again to prove the command silences it.
    env: { POWERTOOLS_LOG_LEVEL: "SILENT", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
