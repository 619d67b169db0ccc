// Composite objectives: a mathjs expression over named components, checked when the metric is defined so
// that a typo or a non-numeric formula never reaches scoring time.
import { ValidationError } from "@kairos/core";
import { type MathNode, parse } from "mathjs";

/** Functions an objective may call: plain numeric ones, nothing that assigns, imports or builds matrices. */
const ALLOWED_FUNCTIONS = new Set([
  "abs",
  "min",
  "max",
  "log",
  "log10",
  "log2",
  "exp",
  "sqrt",
  "pow",
  "round",
  "floor",
  "ceil",
  "sign",
]);
const ALLOWED_CONSTANTS = new Set(["pi", "e"]);
const ALLOWED_NODES = new Set([
  "ConstantNode",
  "SymbolNode",
  "OperatorNode",
  "ParenthesisNode",
  "FunctionNode",
  "ConditionalNode",
]);

/** A compiled objective: evaluates to a number from component values. */
export interface Objective {
  readonly expression: string;
  /** Component names the expression uses. */
  readonly uses: readonly string[];
  evaluate(values: Readonly<Record<string, number>>): number;
}

/**
 * Parses and checks an objective; throws a ValidationError at `field` on a syntax error, an unknown name,
 * a disallowed construct, or a result that is not a number for sample component values.
 */
export function compileObjective(
  expression: string,
  components: readonly string[],
  field = "objective",
): Objective {
  let root: MathNode;
  try {
    root = parse(expression);
  } catch (error) {
    throw new ValidationError(field, `does not parse: ${(error as Error).message}`);
  }
  const known = new Set(components);
  const uses = new Set<string>();
  root.traverse((node, path, parent) => {
    if (!ALLOWED_NODES.has(node.type))
      throw new ValidationError(
        field,
        `${node.type.replace(/Node$/, "").toLowerCase()} is not allowed in an objective`,
      );
    if (node.type === "FunctionNode") {
      const name = (node as unknown as { fn: { name?: string } }).fn.name;
      if (name === undefined || !ALLOWED_FUNCTIONS.has(name))
        throw new ValidationError(field, `unknown function "${name ?? "?"}"`);
    }
    if (node.type === "SymbolNode") {
      if (parent?.type === "FunctionNode" && path === "fn") return;
      const name = (node as unknown as { name: string }).name;
      if (known.has(name)) uses.add(name);
      else if (!ALLOWED_CONSTANTS.has(name))
        throw new ValidationError(field, `unknown name "${name}" (components: ${components.join(", ")})`);
    }
  });
  const code = root.compile();
  const evaluate = (values: Readonly<Record<string, number>>): number => {
    const result: unknown = code.evaluate({ ...values });
    return typeof result === "number" ? result : Number.NaN;
  };
  // Probe with a few component values: the result must be a plain number (not a boolean, unit, matrix or
  // complex number). A division by zero is still a number (Infinity) and is handled at scoring time.
  for (const probe of [0, 1, 2.5]) {
    const scope = Object.fromEntries(components.map((c) => [c, probe]));
    let result: unknown;
    try {
      result = code.evaluate(scope);
    } catch (error) {
      throw new ValidationError(field, `fails to evaluate: ${(error as Error).message}`);
    }
    if (typeof result !== "number")
      throw new ValidationError(
        field,
        `must evaluate to a number, got ${typeof result === "object" ? "a non-number" : typeof result}`,
      );
  }
  return { expression, uses: [...uses], evaluate };
}
