import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The probe function's structured logs are asserted through injected loggers, not printed.
    env: { POWERTOOLS_LOG_LEVEL: "SILENT" },
  },
});
