// Runs every TypeScript example in the READMEs that imports a Kairos package, as a user would paste it:
// each block is written next to the package it documents, run with tsx on the sources, and must exit 0.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const readmes = [
  "README.md",
  ...["core", "rewards", "braze-adapter", "sim", "runner", "neural"].map((p) => `packages/${p}/README.md`),
];
let failed = 0;
let ran = 0;
for (const readme of readmes) {
  const text = readFileSync(readme, "utf8");
  const dir = readme === "README.md" ? "packages/core" : readme.replace(/\/README\.md$/, "");
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const [i, code] of blocks.entries()) {
    if (!/^import .* from "@kairos\//m.test(code)) continue; // a fragment (interface, signature), not a program
    const file = join(dir, `.readme-example-${i}.mts`);
    writeFileSync(file, code);
    const started = Date.now();
    const run = spawnSync(process.execPath, ["--conditions=kairos-source", "--import", "tsx", file], {
      encoding: "utf8",
      timeout: 180_000,
    });
    rmSync(file, { force: true });
    ran++;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (run.status === 0) {
      const last = run.stdout.trim().split("\n").at(-1) ?? "";
      console.log(`ok    ${readme} example ${i + 1} (${seconds} s): ${last.slice(0, 80)}`);
    } else {
      failed++;
      console.log(`FAIL  ${readme} example ${i + 1} (exit ${run.status ?? run.signal}, ${seconds} s)`);
      console.log((run.stderr || run.stdout).split("\n").slice(0, 12).join("\n"));
    }
  }
}
console.log(`${ran} README examples run, ${failed} failed`);
process.exit(failed > 0 || ran === 0 ? 1 : 0);
