// What `readDeb` notes about the entries it drops or changes, read back without loading the
// tar reader: the build's summary and `mcc why` use these on every build.

/**
 * The absolute path a note of `readDeb` is about (`./dev/console: a character-device ...;
 * dropped` -> `/dev/console`), as the package names it (before merged /usr). A name with a
 * control character is shown escaped in its note, so it matches no real path.
 */
export function notedPath(note: string): string {
  return `/${note.slice(0, note.indexOf(": ")).replace(/^\.?\/+/, "")}`;
}

/** Whether a note of `readDeb` says an entry was dropped (not changed). */
export function isDropNote(note: string): boolean {
  return note.endsWith("; dropped");
}
