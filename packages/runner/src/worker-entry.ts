// How to start one of the runner's worker threads (decide-worker, send-plan-worker). From the built `dist`
// it is the plain .js file. From TypeScript sources (tests, `pnpm kairos`) the worker starts from a tiny
// eval'd script that registers tsx's ESM hooks and then imports the .ts file (on Node 20 a loader in a
// worker's execArgv is not applied to its entry module); `--conditions=kairos-source` makes the workspace
// packages resolve to their sources there too.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { WorkerOptions } from "node:worker_threads";

/** The entry and options of a `new Worker` running the module `name` of this directory (no extension). */
export function workerEntry(name: string): { entry: string | URL; options: WorkerOptions } {
  const source = import.meta.url.endsWith(".ts");
  const url = new URL(`./${name}${source ? ".ts" : ".js"}`, import.meta.url);
  if (!source) return { entry: url, options: {} };
  const tsxRoot = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const api = pathToFileURL(join(tsxRoot, "dist/esm/api/index.mjs")).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return { entry: code, options: { eval: true, execArgv: ["--conditions=kairos-source"] } };
}
