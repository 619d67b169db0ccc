// The export reader against archives from an independent writer (Info-ZIP's `zip -fz`, checked in) and from the
// fake's writer, including ZIP64 records and corrupted data.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writeZip } from "../src/testing/zip.js";
import { exportTexts, readZip } from "../src/zip.js";

const here = dirname(fileURLToPath(import.meta.url));

describe("ZIP reader", () => {
  it("reads Info-ZIP's ZIP64 archive (ZIP64 end record, sizes in the ZIP64 extra field, deflate)", () => {
    // Made with `zip -fz`: two NDJSON files, 2 and 200 lines.
    const texts = exportTexts(readFileSync(join(here, "fixtures/infozip64.zip")));
    const lines = texts.map((t) => t.trim().split("\n"));
    expect(lines.map((l) => l.length)).toEqual([2, 200]);
    expect(JSON.parse(lines[1].at(-1) ?? "")).toEqual({ external_id: "b199", random_bucket: 199 });
  });

  it("reads ZIP64 records with every size and offset moved to the extra field", () => {
    const entries = [
      { name: "a.txt", data: Buffer.from("first\n") },
      { name: "b.txt", data: Buffer.from("second\n") },
    ];
    const archive = writeZip(entries, { zip64: true });
    expect(readZip(archive)).toEqual(entries);
  });

  it("refuses an entry whose data does not match its CRC-32", () => {
    const archive = writeZip([{ name: "users.txt", data: Buffer.from('{"external_id":"u1"}\n') }]);
    const corrupt = Buffer.from(archive);
    corrupt[30 + "users.txt".length + 3] ^= 0x01; // one bit of the stored data
    expect(() => readZip(corrupt)).toThrow(/CRC-32 mismatch in users\.txt/);
  });

  it("refuses a truncated archive", () => {
    const archive = writeZip([{ name: "users.txt", data: Buffer.alloc(100, 65) }]);
    const cut = Buffer.concat([archive.subarray(0, 60), archive.subarray(archive.length - 22)]);
    expect(() => readZip(cut)).toThrow(/truncated|corrupt/);
  });
});
