import wabt from "wabt";

/** The TypeScript module embedding the compiled WebAssembly of a .wat text (base64, wrapped at 100 columns). */
export async function kernelsModuleSource(wat: string): Promise<string> {
  const tools = await wabt();
  const parsed = tools.parseWat("simd-kernels.wat", wat, { simd: true });
  parsed.validate();
  const { buffer } = parsed.toBinary({});
  parsed.destroy();
  const base64 = Buffer.from(buffer).toString("base64");
  const lines = base64.match(/.{1,96}/g) ?? [];
  return [
    "// Generated from simd-kernels.wat by `pnpm -F @kairos/core kernels`: do not edit.",
    "export const SIMD_KERNELS_WASM_BASE64 =",
    `${lines.map((l) => `  "${l}"`).join(" +\n")};`,
    "",
  ].join("\n");
}
