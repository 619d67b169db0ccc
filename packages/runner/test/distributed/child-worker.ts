// A `kairos worker` process for the distributed tests (worker-child.ts), with what it printed: one line per
// job started, completed or failed.
import { type ChildProcess, spawn } from "node:child_process";

const child = new URL("./worker-child.ts", import.meta.url).pathname;

/** A running worker; `lines` fills as it prints, `exited` once it is gone. */
export interface ChildWorker {
  proc: ChildProcess;
  lines: string[];
  err: string;
  exited: boolean;
}

/** Starts a worker on `redisUrl` under key prefix `prefix`, with `env` (the Braze credentials). */
export function startChildWorker(redisUrl: string, prefix: string, env: NodeJS.ProcessEnv): ChildWorker {
  const proc = spawn(
    process.execPath,
    ["--conditions=kairos-source", "--import", "tsx", child, redisUrl, prefix],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const w: ChildWorker = { proc, lines: [], err: "", exited: false };
  let buffer = "";
  proc.stdout!.on("data", (b) => {
    buffer += b;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    w.lines.push(...parts);
  });
  proc.stderr!.on("data", (b) => (w.err += b));
  proc.on("exit", () => (w.exited = true));
  return w;
}
