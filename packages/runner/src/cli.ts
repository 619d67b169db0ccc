#!/usr/bin/env node
// The `kairos` executable.
import { main } from "./cli/main.js";

process.exitCode = await main(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  tty: process.stderr.isTTY,
});
