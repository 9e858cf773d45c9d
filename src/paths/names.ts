/**
 * The one rule for the names an image may hold, wherever they come from (a package, a source
 * tree, a tarball, the spec): a name is UTF-8 text with no control character (U+0000-U+001F,
 * U+007F) and no U+FFFD.
 *
 * Why: the layer's tar headers, the lock, the SBOM, provenance, `mcc why` and every listing a
 * user reads carry names as text; a name that is not UTF-8 cannot be written there as itself,
 * and a control character (a newline above all) splits the lines of dpkg's database, of
 * Contents and of a terminal. U+FFFD is what a decoder puts where bytes were not UTF-8 (tar
 * headers and directory listings are read so), so a name holding it is taken as one that was
 * not UTF-8: no real file is named with it. What breaks the rule is treated as a device node
 * is: an entry of a package is dropped with a note, an entry of the user's own tree or
 * tarball is an error naming it (rename it or leave it out with `exclude`).
 */
export function nameProblem(name: string): string | undefined {
  if (name.includes("\uFFFD")) return "it is not valid UTF-8 (it holds U+FFFD, which stands for bytes that are not)";
  const control = describeControl(name);
  return control === undefined ? undefined : `it holds ${control}`;
}

/** The first control character of the text as "the control character U+0009", or undefined. */
export function describeControl(text: string): string | undefined {
  const found = /[\u0000-\u001f\u007f]/.exec(text);
  return found === null ? undefined : `the control character ${codePoint(found[0])}`;
}

/** Text as one line of a message shows it: each control character escaped as `\u000a`, nothing else changed. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function codePoint(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`;
}
