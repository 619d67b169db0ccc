// The `kairos` command in process: its main function with captured output.
import { runCli } from "../../src/index.js";

/** Runs `kairos <args>` with `env`; its exit code and what it printed. */
export async function kairos(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}
