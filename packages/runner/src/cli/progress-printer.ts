// Progress on stderr: one redrawn line on a terminal, else a line per message and per tenth of a count.
import type { Progress } from "../progress.js";
import type { Io } from "./command.js";

/** A progress listener writing to `io.err`. */
export function progressPrinter(io: Io): (p: Progress) => void {
  let lastTenth = -1;
  return (p) => {
    if (p.total === undefined || p.done === undefined || p.total === 0) {
      io.err(`${io.tty ? "\r\x1b[K" : ""}${p.step}: ${p.message}\n`);
      lastTenth = -1;
      return;
    }
    const pct = Math.floor((100 * p.done) / p.total);
    if (io.tty) io.err(`\r\x1b[K${p.step}: ${p.message} ${p.done}/${p.total} (${pct}%)`);
    else if (Math.floor(pct / 10) !== lastTenth) {
      lastTenth = Math.floor(pct / 10);
      io.err(`${p.step}: ${p.message} ${p.done}/${p.total} (${pct}%)\n`);
    }
  };
}
