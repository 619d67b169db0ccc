// A test file's own redis-server and a client on it: started before the file's tests, stopped after them.
import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { startTestRedis, type TestRedis } from "./redis-server.js";

/** Registers the file's hooks; the fields are set once its tests run. */
export function useTestRedis(): { server: TestRedis; redis: Redis } {
  const env = {} as { server: TestRedis; redis: Redis };
  beforeAll(async () => {
    env.server = await startTestRedis();
    env.redis = new Redis(env.server.url);
  });
  afterAll(async () => {
    await env.redis?.quit();
    await env.server?.stop();
  });
  return env;
}
