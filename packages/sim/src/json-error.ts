/**
 * Where JSON text stops being JSON, and why: the first syntax error of `text` as a character offset and a
 * reason, or undefined when it parses. Only called after `JSON.parse` failed (whose Node 20 messages give a
 * character position for some errors and none for others).
 */
export function jsonSyntaxError(text: string): { offset: number; reason: string } | undefined {
  let i = 0;
  const n = text.length;
  class Stop {
    constructor(
      readonly offset: number,
      readonly reason: string,
    ) {}
  }
  const what = (at: number): string => (at >= n ? "end of file" : JSON.stringify(text[at]));
  const fail = (reason: string, at = i): never => {
    throw new Stop(at, reason);
  };
  const ws = (): void => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const string = (): void => {
    const start = i++;
    for (;;) {
      if (i >= n) fail("unterminated string", start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c === 10 || c === 13) fail("unterminated string (a line break inside quotes)", start);
      if (c < 32) fail("control character inside a string");
      if (c === 92) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("bad \\u escape");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`bad escape \\${e ?? ""}`);
      } else i++;
    }
  };
  const digits = (): number => {
    const start = i;
    while (i < n && text[i]! >= "0" && text[i]! <= "9") i++;
    return i - start;
  };
  const number = (): void => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else if (digits() === 0) fail(`unexpected ${what(i)} in a number`);
    if (text[i] === ".") {
      i++;
      if (digits() === 0) fail(`unexpected ${what(i)} after a decimal point`);
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (digits() === 0) fail(`unexpected ${what(i)} in an exponent`);
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") object();
    else if (c === "[") array();
    else if (c === '"') string();
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) number();
    else literal(c);
  };
  const literal = (c: string | undefined): void => {
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (c === "'") fail("strings need double quotes");
    fail(`unexpected ${what(i)}, expected a value`);
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === "}") {
      i++;
      return;
    }
    let comma = -1;
    for (;;) {
      ws();
      if (text[i] !== '"') {
        if (text[i] === "}" && comma >= 0) fail("trailing comma before }", comma);
        fail(`unexpected ${what(i)}, expected a double-quoted key`);
      }
      string();
      ws();
      if (text[i] !== ":") fail(`unexpected ${what(i)}, expected : after the key`);
      i++;
      value();
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      if (text[i] !== ",") fail(`unexpected ${what(i)}, expected , or }`);
      comma = i++;
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === "]") {
      i++;
      return;
    }
    let comma = -1;
    for (;;) {
      ws();
      if (text[i] === "]" && comma >= 0) fail("trailing comma before ]", comma);
      value();
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      if (text[i] !== ",") fail(`unexpected ${what(i)}, expected , or ]`);
      comma = i++;
    }
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value();
    ws();
    if (i < n) fail(`unexpected ${what(i)} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, reason: e.reason };
    throw e;
  }
}
