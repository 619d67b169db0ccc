// The benchmark's fake Braze in a process of its own, so what it keeps of every request (at 2,000,000
// customers, about 45,000 trigger sends with their recipients) shares neither a heap nor an event loop with
// the day it serves. Options as JSON in argv[2]; argv[3] users named customer-0 … customer-(N-1) (too many
// for an argument). Prints `URL <url>` once listening; on SIGTERM prints `REQUESTS <n>` and exits.
// Run: tsx --conditions=kairos-source fake-braze-child.ts '<FakeBrazeOptions as JSON>' <N>
import { startFakeBraze } from "@kairos/braze-adapter/testing";

const users = Array.from({ length: Number(process.argv[3] ?? 0) }, (_, i) => `customer-${i}`);
const fake = await startFakeBraze({ ...JSON.parse(process.argv[2] ?? "{}"), users });
process.stdout.write(`URL ${fake.url}\n`);
process.once("SIGTERM", () => {
  process.stdout.write(`REQUESTS ${fake.requests.length}\n`);
  void fake.close().then(() => process.exit(0));
});
