import { crc32, gunzipSync, inflateRawSync } from "node:zlib";

// Braze delivers segment exports as one ZIP of NDJSON files. The reader walks the central directory, understands
// ZIP64 (archives past 4 GiB or 65,535 files), inflates "stored" and "deflate" entries, and checks each entry's
// size and CRC-32, so a damaged download fails loudly instead of yielding wrong users. The writer the fake uses
// lives in `testing/zip.ts`.

/** One file of an archive. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

const SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  end64: 0x06064b50,
  locator64: 0x07064b50,
} as const;
const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

class Reader {
  constructor(readonly buf: Buffer) {}
  /** Throws unless `[at, at + n)` lies inside the archive. */
  need(at: number, n: number, what: string): void {
    if (at < 0 || at + n > this.buf.length) throw new Error(`truncated ZIP archive (${what})`);
  }
  u16(at: number): number {
    this.need(at, 2, "field");
    return this.buf.readUInt16LE(at);
  }
  u32(at: number): number {
    this.need(at, 4, "field");
    return this.buf.readUInt32LE(at);
  }
  u64(at: number): number {
    this.need(at, 8, "field");
    const v = this.buf.readBigUInt64LE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error("ZIP64 value too large");
    return Number(v);
  }
}

/** Where the central directory is and how many entries it holds (from the ZIP64 end record when there is one). */
function directory(r: Reader): { count: number; offset: number } {
  const { buf } = r;
  let end = -1;
  // The end record is the last 22 bytes, unless an archive comment (at most 65,535 bytes) follows it.
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - U16_MAX); i--) {
    if (buf.readUInt32LE(i) === SIG.end) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("not a ZIP archive (no end of central directory)");
  if (r.u16(end + 4) !== 0 || r.u16(end + 6) !== 0)
    throw new Error("multi-disk ZIP archives are not supported");
  // A ZIP64 locator sits right before the end record and points to the ZIP64 end record.
  if (end >= 20 && r.u32(end - 20) === SIG.locator64) {
    const record = r.u64(end - 20 + 8);
    if (r.u32(record) !== SIG.end64) throw new Error("corrupt ZIP64 end of central directory");
    return { count: r.u64(record + 32), offset: r.u64(record + 48) };
  }
  return { count: r.u16(end + 10), offset: r.u32(end + 16) };
}

/** Reads every file of a ZIP archive, checking sizes and CRC-32s. */
export function readZip(buf: Buffer): ZipEntry[] {
  const r = new Reader(buf);
  const { count, offset } = directory(r);
  const out: ZipEntry[] = [];
  let p = offset;
  for (let n = 0; n < count; n++) {
    if (r.u32(p) !== SIG.central) throw new Error("corrupt ZIP central directory");
    const flags = r.u16(p + 8);
    const method = r.u16(p + 10);
    const crc = r.u32(p + 16);
    let compressed = r.u32(p + 20);
    let size = r.u32(p + 24);
    const nameLen = r.u16(p + 28);
    const extraLen = r.u16(p + 30);
    const commentLen = r.u16(p + 32);
    let local = r.u32(p + 42);
    r.need(p + 46, nameLen + extraLen, "central directory entry");
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    if (flags & 0x1) throw new Error(`encrypted ZIP entry ${name} is not supported`);
    if (method !== 0 && method !== 8) throw new Error(`unsupported ZIP method ${method} in ${name}`);
    // ZIP64 extended information (id 0x0001) holds, in this order, each of these fields saturated above.
    const zip64 = findExtra(r, p + 46 + nameLen, extraLen, 0x0001);
    if (zip64 !== undefined) {
      let q = zip64;
      const next = () => {
        q += 8;
        return r.u64(q - 8);
      };
      if (size === U32_MAX) size = next();
      if (compressed === U32_MAX) compressed = next();
      if (local === U32_MAX) local = next();
    }
    if (r.u32(local) !== SIG.local) throw new Error(`corrupt ZIP local header of ${name}`);
    const dataStart = local + 30 + r.u16(local + 26) + r.u16(local + 28);
    r.need(dataStart, compressed, `data of ${name}`);
    const raw = buf.subarray(dataStart, dataStart + compressed);
    if (!name.endsWith("/")) {
      const data = method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
      if (data.length !== size)
        throw new Error(`size mismatch in ${name}: ${data.length} bytes, expected ${size}`);
      if (crc32(data) >>> 0 !== crc) throw new Error(`CRC-32 mismatch in ${name}: the archive is damaged`);
      out.push({ name, data });
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Offset of the data of the extra field `id` within `[start, start + length)`, if present. */
function findExtra(r: Reader, start: number, length: number, id: number): number | undefined {
  for (let q = start; q + 4 <= start + length; q += 4 + r.u16(q + 2)) {
    if (r.u16(q) === id) return q + 4;
  }
  return undefined;
}

/** Turns a downloaded export (ZIP, gzip or plain NDJSON) into its NDJSON texts. */
export function exportTexts(buf: Buffer): string[] {
  if (buf.length >= 4 && buf.readUInt32LE(0) === SIG.local) {
    return readZip(buf).map((e) => (e.name.endsWith(".gz") ? gunzipSync(e.data) : e.data).toString("utf8"));
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return [gunzipSync(buf).toString("utf8")];
  return [buf.toString("utf8")];
}
