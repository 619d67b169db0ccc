import { defineConfig } from "vitest/config";

// Tests import workspace packages from their TypeScript sources through the
// "kairos-source" export condition, so no build is needed before testing.
export default defineConfig({
  resolve: { conditions: ["kairos-source"] },
  ssr: { resolve: { conditions: ["kairos-source"], externalConditions: ["kairos-source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "benchmarks/test/**/*.test.ts", "simulations/**/*.test.ts"],
    setupFiles: ["./vitest.setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
