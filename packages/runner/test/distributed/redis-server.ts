// A throwaway redis-server for one test file or benchmark: a free loopback port, a temporary directory,
// append-only persistence as the README recommends, stopped (and its directory removed) by `stop`. Fails
// loudly when redis-server is not installed: the distributed tests never skip themselves.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running redis-server. */
export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  process: ChildProcess;
  /** Stops the server (SIGTERM) and removes its directory. */
  stop(): Promise<void>;
}

/** The redis-server binary: $REDIS_SERVER, else the one on PATH; throws when there is none. */
export function redisServerPath(): string {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "redis-server not found: install it (apt-get install -y redis-server) or set REDIS_SERVER; the distributed tests need it",
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startOnce(bin: string, port: number, fsync: string): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "kairos-redis-"));
  const proc = spawn(
    bin,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      fsync,
      "--save",
      "",
      "--daemonize",
      "no",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  proc.stdout!.on("data", (b) => (log += b));
  proc.stderr!.on("data", (b) => (log += b));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (log.includes("Ready to accept connections")) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
    proc.once("exit", (code) => {
      clearInterval(timer);
      reject(new Error(`redis-server exited (${code}): ${log.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    process: proc,
    async stop() {
      if (proc.exitCode === null) proc.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts redis-server on a free loopback port (retrying when another process took the port first). */
export async function startTestRedis(
  options: { appendfsync?: "always" | "everysec" } = {},
): Promise<TestRedis> {
  const bin = redisServerPath();
  let last: unknown;
  for (let i = 0; i < 5; i++) {
    try {
      return await startOnce(bin, await freePort(), options.appendfsync ?? "everysec");
    } catch (e) {
      last = e;
    }
  }
  throw last;
}
