// The JSON Schema of use-case files, generated from the zod schema so the two never disagree (a test
// checks that schema/use-case.schema.json is current).
import { z } from "zod";
import { useCaseSchema } from "./schema.js";

/** The JSON Schema (draft 2020-12) of a use-case file as written (defaults optional). */
export function useCaseJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(useCaseSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://kairos.dev/schema/use-case.schema.json",
    title: "Kairos use case",
  };
}
