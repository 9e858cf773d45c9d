/**
 * How values are spelt in the DSL, shared by the visitor (reading) and the printer (writing),
 * so that whatever the printer writes reads back as the same value.
 *
 * - A bare word is taken as written; `\` has no special meaning in it.
 * - A quoted string is `"..."` on one line, with the escapes `\\`, `\"`, `\n`, `\t`, `\r` and
 *   `\u{H...}` (one to six hex digits, a Unicode code point).
 * - Where the schema takes a number (version, user, uid, gid, mode, ports), a bare word of
 *   digits is a number: `0644` (leading zero) and `0o644` are octal, as in YAML specs, and
 *   the spelling is kept for messages. A quoted `"0644"` stays a string.
 */

/** The result of reading a quoted string: its value, or the first bad escape. */
export type Unquoted = { readonly value: string } | { readonly badEscape: string; readonly offset: number };

/** Reads the inside of a quoted string token (with its quotes). */
export function unquote(token: string): Unquoted {
  const body = token.endsWith('"') && token.length >= 2 ? token.slice(1, -1) : token.slice(1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = body[i + 1];
    const simple: Record<string, string> = { "\\": "\\", '"': '"', n: "\n", t: "\t", r: "\r" };
    if (next !== undefined && simple[next] !== undefined) {
      out += simple[next];
      i++;
      continue;
    }
    const unicode = /^u\{([0-9A-Fa-f]{1,6})\}/.exec(body.slice(i + 1));
    const point = unicode === null ? NaN : parseInt(unicode[1] as string, 16);
    if (unicode !== null && point <= 0x10ffff) {
      out += String.fromCodePoint(point);
      i += unicode[0].length;
      continue;
    }
    const shown = unicode === null ? body.slice(i, i + 2) : `\\${unicode[0]}`;
    return { badEscape: shown === "\\" ? "\\ at the end" : shown, offset: i + 1 };
  }
  return { value: out };
}

/** Writes a string as a quoted DSL string. */
export function quote(value: string): string {
  let out = '"';
  for (const c of value) {
    const code = c.codePointAt(0) as number;
    if (c === "\\") out += "\\\\";
    else if (c === '"') out += '\\"';
    else if (c === "\n") out += "\\n";
    else if (c === "\t") out += "\\t";
    else if (c === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u{${code.toString(16)}}`;
    } else out += c;
  }
  return out + '"';
}

/** A bare word's spelling for numbers: digits (a `-` before them too, to be refused by range), or `0o` and octal digits. */
export const NUMBER_WORD = /^(?:-?[0-9]+|0o[0-7]+)$/;

/** A number written as a bare word, read as a YAML spec reads it (leading zero: octal). */
export function numberOf(word: string): number | undefined {
  if (!NUMBER_WORD.test(word)) return undefined;
  if (word.startsWith("0o")) return parseInt(word.slice(2), 8);
  if (/^0[0-7]+$/.test(word)) return parseInt(word, 8);
  if (word.startsWith("-")) return -Number(word.slice(1));
  return Number(word);
}

const BARE = /^[^\s"#{}[\];=\\][^\s"{}[\];\\]*$/;
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ud800-\udfff]/;

/**
 * Whether a string can be written as a bare word and read back as itself. `numeric` is set
 * where bare digits would be read as a number. Words holding `\` are quoted anyway, so a
 * reader never wonders whether it escapes.
 */
export function isBareSafe(value: string, numeric: boolean): boolean {
  if (!BARE.test(value) || UNPRINTABLE.test(value)) return false;
  return !(numeric && NUMBER_WORD.test(value));
}

/** A string as the printer writes it: bare when that reads back the same, else quoted. */
export function writeString(value: string, numeric = false): string {
  return isBareSafe(value, numeric) ? value : quote(value);
}
