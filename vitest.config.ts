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
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  },
});
