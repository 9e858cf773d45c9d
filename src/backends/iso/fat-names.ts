/**
 * The characters of a FAT short name (Microsoft's FAT specification, "Short name
 * requirements"), upper case only: mcc writes no long-file-name entries, so a name that needs
 * one (lower case, spaces, more than 8.3) is refused rather than silently shortened.
 */
const SHORT_NAME_CHARACTERS = /^[A-Z0-9!#$%&'()@^_`{}~-]*$/;

/** Checks an 8.3 name: 1 to 8 characters, then optionally a dot and 1 to 3 more. */
export function checkFatName(name: string, _isDirectory: boolean, path: string): void {
  const fail = (why: string): never => {
    throw new Error(`FAT: ${JSON.stringify(name)} in ${JSON.stringify(path)} is not an 8.3 short name: ${why}`);
  };
  const dot = name.indexOf(".");
  const base = dot < 0 ? name : name.slice(0, dot);
  const ext = dot < 0 ? "" : name.slice(dot + 1);
  if (base.length < 1 || base.length > 8) fail("1 to 8 characters before the dot");
  if (dot >= 0 && (ext.length < 1 || ext.length > 3)) fail("1 to 3 characters after the dot");
  if (!SHORT_NAME_CHARACTERS.test(base) || !SHORT_NAME_CHARACTERS.test(ext)) fail("only A-Z, 0-9, one dot and ! # $ % & ' ( ) - @ ^ _ ` { } ~ are allowed");
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
