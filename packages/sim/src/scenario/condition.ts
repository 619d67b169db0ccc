/**
 * A scenario's `when` conditions (and `forbid` rules) are matched by core's matcher, the same one that
 * checks an action space's constraint rules: values compare exactly, type included (the option `9` is not
 * the text `"9"`, a boolean feature's `true` is not `"true"`), and a range applies to numbers only (it
 * throws on anything else). The loader rejects a condition whose value differs from every value it could
 * meet only by its type, so a scenario never silently matches nothing.
 */
export { matchesCondition } from "@kairos/core";
