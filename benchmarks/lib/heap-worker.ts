// Child process of measureHeap: reads a HeapPlan on stdin, writes { gc, results } on stdout.
import { readFileSync } from "node:fs";
import { type HeapPlan, runHeapJobs } from "./heap.js";
import { gcExposedByFlag, getGc } from "./measure.js";

const plan = JSON.parse(readFileSync(0, "utf8")) as HeapPlan;
const results = runHeapJobs(plan);
const gc = gcExposedByFlag() ? "flag" : getGc() ? "runtime" : "unavailable";
process.stdout.write(JSON.stringify({ gc, results }));
