/** Structured log fields: request metadata only, never bodies, keys or recipients. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Where the adapter reports what it does; defaults to silence. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };
