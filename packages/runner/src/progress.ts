// Progress of long steps, for a terminal or an embedding service's logs.

/** One progress report: a step, and how far it got when it has a size. */
export interface Progress {
  step: "audience" | "ingest" | "learn" | "decide" | "activate" | "register" | "data_series";
  message: string;
  done?: number;
  total?: number;
}

/** Receives progress reports. */
export type ProgressListener = (p: Progress) => void;
