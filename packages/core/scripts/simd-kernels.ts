// Compiles src/linalg/simd-kernels.wat into src/linalg/simd-kernels-binary.ts
// (`pnpm -F @kairos/core kernels`); a test checks that the committed binary is current.
import { readFileSync, writeFileSync } from "node:fs";
import { kernelsModuleSource } from "./simd-kernels-source.js";

writeFileSync(
  new URL("../src/linalg/simd-kernels-binary.ts", import.meta.url),
  await kernelsModuleSource(readFileSync(new URL("../src/linalg/simd-kernels.wat", import.meta.url), "utf8")),
);
