// Writes schema/use-case.schema.json from the zod schema: pnpm -F @kairos/runner schema
import { writeFileSync } from "node:fs";
import { useCaseJsonSchema } from "../src/use-case/json-schema.js";

const path = new URL("../schema/use-case.schema.json", import.meta.url);
writeFileSync(path, `${JSON.stringify(useCaseJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
