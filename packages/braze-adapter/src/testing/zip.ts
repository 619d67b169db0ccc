import { crc32 } from "node:zlib";
import type { ZipEntry } from "../zip.js";

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;

/**
 * Writes files into a ZIP archive (stored, no compression), for the fake's segment exports. With `zip64`, every
 * size and offset goes into ZIP64 extra fields and a ZIP64 end record, as writers do past 4 GiB or 65,535 files.
 */
export function writeZip(entries: readonly ZipEntry[], options: { zip64?: boolean } = {}): Buffer {
  const zip64 = options.zip64 ?? false;
  const u32 = (n: number) => (zip64 ? U32_MAX : n);
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const crc = crc32(e.data) >>> 0;
    // ZIP64 extended information: uncompressed size, compressed size (local and central), local header offset (central).
    const extra = (withOffset: boolean) => {
      if (!zip64) return Buffer.alloc(0);
      const x = Buffer.alloc(withOffset ? 28 : 20);
      x.writeUInt16LE(0x0001, 0);
      x.writeUInt16LE(x.length - 4, 2);
      x.writeBigUInt64LE(BigInt(e.data.length), 4);
      x.writeBigUInt64LE(BigInt(e.data.length), 12);
      if (withOffset) x.writeBigUInt64LE(BigInt(offset), 20);
      return x;
    };
    const version = zip64 ? 45 : 20;
    const localExtra = extra(false);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(version, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(u32(e.data.length), 18);
    local.writeUInt32LE(u32(e.data.length), 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    const centralExtra = extra(true);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(version, 4);
    central.writeUInt16LE(version, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(u32(e.data.length), 20);
    central.writeUInt32LE(u32(e.data.length), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(centralExtra.length, 30);
    central.writeUInt32LE(u32(offset), 42);
    parts.push(local, name, localExtra, e.data);
    centrals.push(central, name, centralExtra);
    offset += local.length + name.length + localExtra.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4); // size of the rest of the record
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(cd.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    locator.writeUInt32LE(1, 16); // total number of disks
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? U16_MAX : entries.length, 8);
  end.writeUInt16LE(zip64 ? U16_MAX : entries.length, 10);
  end.writeUInt32LE(u32(cd.length), 12);
  end.writeUInt32LE(u32(offset), 16);
  return Buffer.concat([...parts, cd, ...tail, end]);
}
