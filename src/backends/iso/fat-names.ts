/**
 * The characters of a FAT short name (Microsoft's FAT specification, "Short name
 * requirements"), upper case only. A name of these, in 8.3 form, is written as a short entry
 * alone, exactly as before mcc wrote long names; any other name gets long-name entries too.
 */
const SHORT_NAME_CHARACTERS = /^[A-Z0-9!#$%&'()@^_`{}~-]*$/;

/** Whether one character (already upper case) may stand in a short name. */
export function isShortNameCharacter(c: string): boolean {
  return c.length === 1 && SHORT_NAME_CHARACTERS.test(c);
}

/**
 * Whether `name` is an 8.3 short name in upper case: 1 to 8 short-name characters, then
 * optionally a dot and 1 to 3 more. Only such a name can do without long-name entries, as
 * every FAT driver shows a short entry's name in upper case.
 */
export function isShortName(name: string): boolean {
  const dot = name.indexOf(".");
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? "" : name.slice(dot + 1);
  if (base.length < 1 || base.length > 8) return false;
  if (dot >= 0 && (ext.length < 1 || ext.length > 3)) return false;
  return SHORT_NAME_CHARACTERS.test(base) && SHORT_NAME_CHARACTERS.test(ext);
}

/** The longest long name, in UTF-16 code units: 20 long-name entries of 13 (the specification's limit). */
export const LONG_NAME_MAX = 255;

/**
 * Checks a name for a FAT directory entry. A short name passes as it is; any other must be a
 * long name the Microsoft FAT specification allows ("Long name requirements"): at most 255
 * characters, none of them a control character or one of `" * / : < > ? \ |`, no leading or
 * trailing space and no trailing dot (drivers drop those, so the name read back would not be
 * the one given), and UCS-2, which is what the long-name entries hold.
 */
export function checkFatName(name: string, _isDirectory: boolean, path: string): void {
  if (isShortName(name)) return;
  const fail = (why: string): never => {
    throw new Error(`FAT: ${JSON.stringify(name)} in ${JSON.stringify(path)} is not a valid long name: ${why}`);
  };
  if (name.length > LONG_NAME_MAX) fail(`at most ${LONG_NAME_MAX} characters, not ${name.length}`);
  if (/[\u0000-\u001f\u007f"*/:<>?\\|]/.test(name)) fail('no control characters and none of " * / : < > ? \\ |');
  if (/[\ud800-\udfff]/.test(name)) fail("only UCS-2 characters (up to U+FFFF)");
  if (name.startsWith(" ") || name.endsWith(" ") || name.endsWith(".")) fail("no leading or trailing space and no trailing dot");
}

/**
 * The key FAT looks a name up by: each UTF-16 code unit in upper case where that is one code
 * unit (so `ß` stays), as the upcase tables of Windows and the UEFI FAT driver fold. Two names
 * of one directory with the same key are an error.
 */
export function foldFatName(name: string): string {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const c = name.charAt(i);
    const upper = c.toUpperCase();
    out += upper.length === 1 ? upper : c;
  }
  return out;
}

/** The 11 bytes of a directory entry's name: the base and the extension, space padded. */
export function shortName(name: string): Buffer {
  const dot = name.indexOf(".");
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? "" : name.slice(dot + 1);
  return Buffer.from(base.padEnd(8, " ") + ext.padEnd(3, " "), "latin1");
}

/**
 * A volume label: 1 to 11 short-name characters or spaces (not leading), letters folded up.
 * It is written twice, in the boot sector and as the root's volume-label entry, the same.
 */
export function checkFatLabel(label: string): Buffer {
  const folded = label.replace(/[a-z]/g, (c) => c.toUpperCase());
  if (folded.length < 1 || folded.length > 11 || folded.startsWith(" ") || !SHORT_NAME_CHARACTERS.test(folded.replace(/ /g, ""))) {
    throw new Error(`FAT: the label ${JSON.stringify(label)} must be 1 to 11 of A-Z, 0-9, inner spaces and short-name punctuation`);
  }
  return Buffer.from(folded.padEnd(11, " "), "latin1");
}
