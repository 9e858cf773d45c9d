// The spec `mcc init` starts a user with, as text. Pure.

/** What the starter is for: a Debian package's program, or a program of the user's. */
export type Starter =
  | { readonly kind: "package"; readonly name: string; readonly package: string; readonly release: string }
  | {
      readonly kind: "program";
      readonly name: string;
      /** The program's path relative to the spec's directory. */
      readonly source: string;
      readonly release: string;
      /** What the program is, in a few words, for the comment (`an ELF program that loads libz.so.1`). */
      readonly what: string;
    };

/** An image name from a file or package name: lowercase, only `a-z0-9._-`, starting with a letter or digit. */
export function imageNameOf(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 128);
  return name === "" ? "app" : name;
}

/**
 * The starter spec's YAML: a modeline naming the schema written beside it (so an editor
 * checks the spec in any repository), the release, the package or the program, and comments
 * that say what to check and where mcc takes over.
 */
export function starterSpec(starter: Starter): string {
  const head = ["# yaml-language-server: $schema=./mcc.schema.json", ""];
  if (starter.kind === "package") {
    return [
      ...head,
      `name: ${starter.name}`,
      "from:",
      `  release: ${starter.release}`,
      `packages: [${starter.package}]`,
      `# The package's program, by its usual place; if the package has no /usr/bin/${starter.package},`,
      "# mcc compile says which programs it has (MCC500).",
      `executable: /usr/bin/${starter.package}`,
      'args: ["--version"]',
      "",
    ].join("\n");
  }
  const base = starter.source.split("/").pop() as string;
  return [
    ...head,
    `name: ${starter.name}`,
    "from:",
    "  # The release your program was built on: its C library must be at least as new.",
    `  release: ${starter.release}`,
    "  # The Debian packages the program needs (its libraries, its interpreter) are found in the",
    "  # release's Contents index and locked with the reason; list here only what it reads as data.",
    "  infer: true",
    "packages: [libc6]",
    `# ${starter.what}`,
    `executable: /app/${base}`,
    "args: []",
    "files:",
    `  - {path: /app/${base}, source: ${starter.source}, mode: 0755}`,
    "",
  ].join("\n");
}
