// `kairos report <use-case.json>`: the HTML report of what happened and what was learned.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { renderReport } from "../report/html.js";
import { reportData } from "../report/report-data.js";
import { openState } from "../state/open-state.js";
import { loadUseCase } from "../use-case/load.js";
import { type Command, STATE_OPTION, stateDirOf } from "./command.js";

export const reportCommand: Command = {
  name: "report",
  summary: "write the HTML report: reward per customer and uplift vs the control groups, shares, effects",
  positionals: "use-case",
  options: { ...STATE_OPTION, out: { type: "string" } },
  usage: `usage: kairos report <use-case.json> [--out FILE] [--state DIR]

Writes one self-contained HTML page: reward per customer per group (Kairos, random, business as usual,
holdout) overall and by day with 95% intervals (their method is stated in the page), Kairos' uplift against
each control group, option shares overall, over time and per segment, the model's learned effects per
option and customer group, and explained sample decisions. Reads only.

options:
  --out FILE    where to write (default: <state>/report.html)
  --state DIR   state directory of this use case (default: kairos-state/<use-case id>)
  -h, --help    show this help

example:
  kairos report use-cases/win-back.json --out win-back.html
`,
  async run(values, [file], io) {
    const useCase = await loadUseCase(file!);
    const dir = stateDirOf(values, useCase);
    const state = openState(dir, useCase.id, { lock: false });
    try {
      const out = resolve(typeof values.out === "string" ? values.out : `${dir}/report.html`);
      const data = reportData(useCase, state, Date.now());
      writeFileSync(out, renderReport(data));
      const k = data.overall.kairos;
      io.out(
        `wrote ${out}${k ? ` (Kairos: ${k.mean.toFixed(3)} per customer over ${k.n} customers)` : ""}\n`,
      );
      return 0;
    } finally {
      await state.close();
    }
  },
};
