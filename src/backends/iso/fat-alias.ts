import { isShortNameCharacter } from "./fat-names.js";

/**
 * The short names of a directory's long-named entries, in Windows' "numeric tail" style
 * (`loader.conf` is `LOADER~1.CON`). Every long name needs one: drivers without long-name
 * support see only it, and the long-name entries point at it by its checksum.
 *
 * `longNames` are in the directory's order and `taken` holds the 11-byte names (as latin1
 * text) of its short-only entries; each alias is the basis name (see {@link basisName}) with
 * `~N` at the end of its base, N counting up from 1 until the name is not yet taken in the
 * directory. So the aliases depend only on the directory's names and their order, never on
 * the order the files were given in.
 */
export function shortAliases(longNames: readonly string[], taken: Iterable<string>): Buffer[] {
  const used = new Set(taken);
  return longNames.map((name) => {
    const { base, ext } = basisName(name);
    for (let n = 1; n <= 999_999; n++) {
      const tail = `~${n}`;
      const alias = `${(base.slice(0, 8 - tail.length) + tail).padEnd(8, " ")}${ext.padEnd(3, " ")}`;
      if (used.has(alias)) continue;
      used.add(alias);
      return Buffer.from(alias, "latin1");
    }
    throw new Error(`FAT: no numeric tail left for ${JSON.stringify(name)}`);
  });
}

/**
 * The basis of a short name (the Microsoft FAT specification's "basis-name generation",
 * as Windows and Linux apply it): leading dots dropped; the extension is what follows the last
 * dot, the base what precedes it, both without spaces and dots; letters upper-cased, any
 * other character that a short name cannot hold (`+ , ; = [ ]`, non-ASCII) made `_`; the
 * base cut to 6 characters here and further by the tail, the extension to 3.
 */
export function basisName(name: string): { base: string; ext: string } {
  const stripped = name.replace(/^\.+/, "");
  const dot = stripped.lastIndexOf(".");
  const clean = (part: string) =>
    [...part.replace(/[ .]/g, "")]
      .map((c) => {
        const upper = c >= "a" && c <= "z" ? c.toUpperCase() : c;
        return isShortNameCharacter(upper) ? upper : "_";
      })
      .join("");
  const base = clean(dot < 0 ? stripped : stripped.slice(0, dot)).slice(0, 6);
  const ext = dot < 0 ? "" : clean(stripped.slice(dot + 1)).slice(0, 3);
  // A base of only spaces and dots (". .x" has none left) still needs a character.
  return { base: base === "" ? "_" : base, ext };
}
