import { diagnosticAt, diagnosticForFile, type Diagnostic } from "../diagnostics/diagnostic.js";
import { createSourceText, type SourceText } from "../types/source-text.js";

/** Specs are small; anything larger is a mistake (a wrong file) or an attack. */
export const MAX_SPEC_BYTES = 1024 * 1024;

export interface DecodeResult {
  readonly source?: SourceText;
  readonly diagnostics: readonly Diagnostic[];
}

/** Turns a spec file's bytes into text, refusing what is not a UTF-8 text file of sane size. */
export function decodeSpecBytes(file: string, bytes: Uint8Array): DecodeResult {
  if (bytes.length > MAX_SPEC_BYTES) {
    return { diagnostics: [tooLarge(file, bytes.length)] };
  }
  if (bytes.includes(0)) {
    return { diagnostics: [diagnosticForFile(file, "MCC004")] };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    const prefix = new TextDecoder("utf-8").decode(bytes.subarray(0, bad));
    const source = createSourceText(file, prefix);
    const byte = (bytes[bad] ?? 0).toString(16).padStart(2, "0");
    return { diagnostics: [diagnosticAt(source, { start: prefix.length, end: prefix.length + 1 }, "MCC005", { byte })] };
  }
  let text = new TextDecoder("utf-8").decode(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { source: createSourceText(file, text), diagnostics: [] };
}

export function tooLarge(file: string, size: number): Diagnostic {
  return diagnosticForFile(file, "MCC003", { size: formatBytes(size), limit: formatBytes(MAX_SPEC_BYTES) });
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** The index of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
