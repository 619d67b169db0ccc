// Braze credentials come from the environment only (never from the use-case file, a flag or a log line).
import { ValidationError } from "@kairos/core";
import { z } from "zod";

/** The instance's REST endpoint and the REST API key. */
export interface BrazeCredentials {
  baseUrl: string;
  apiKey: string;
}

const endpoint = z
  .string()
  .url("must be the instance's REST URL, e.g. https://rest.iad-01.braze.com")
  .refine((u) => {
    const url = new URL(u);
    // Plain HTTP only on loopback (a local fake Braze): the key must never cross a network in clear.
    return (
      url.protocol === "https:" ||
      (url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname))
    );
  }, "must use https (http is accepted on 127.0.0.1 only)");
const key = z
  .string()
  .min(1, "is empty")
  .refine((k) => !/^["'].*["']$/.test(k), "is quoted: remove the quotes (Braze answers 401)")
  .refine((k) => !/\s/.test(k), "contains whitespace");

/** Reads BRAZE_REST_ENDPOINT and BRAZE_API_KEY; throws a ValidationError naming the variable (never its value). */
export function brazeCredentials(env: NodeJS.ProcessEnv = process.env): BrazeCredentials {
  for (const name of ["BRAZE_REST_ENDPOINT", "BRAZE_API_KEY"] as const)
    if (env[name] === undefined) throw new ValidationError(name, "not set: export it in the environment");
  const url = endpoint.safeParse(env.BRAZE_REST_ENDPOINT);
  if (!url.success) throw new ValidationError("BRAZE_REST_ENDPOINT", url.error.issues[0]!.message);
  const k = key.safeParse(env.BRAZE_API_KEY);
  if (!k.success) throw new ValidationError("BRAZE_API_KEY", k.error.issues[0]!.message);
  return { baseUrl: url.data.replace(/\/+$/, ""), apiKey: k.data };
}
