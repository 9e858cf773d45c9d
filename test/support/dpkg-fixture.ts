// Small dpkg databases as a full Debian system and a distroless image hold them, for the unit
// tests of the shared reader, of inspect's summary and of diff.

/** One package of a fixture database. */
export interface FixturePackage {
  readonly name: string;
  readonly version: string;
  /** `install ok installed` unless given (`deinstall ok config-files` for a removed one). */
  readonly status?: string;
  readonly arch?: string;
  /** The .list's name when dpkg qualifies it (`libc6:amd64` for a Multi-Arch: same package). */
  readonly listName?: string;
  /** The paths of its .list, as dpkg writes them (bookworm: `/bin/...`, `/lib/...`). */
  readonly paths: readonly string[];
  readonly conffiles?: readonly string[];
}

/** A stanza as dpkg writes it in /var/lib/dpkg/status. */
function stanza(p: FixturePackage, withStatus: boolean): string {
  const conffiles = (p.conffiles ?? []).map((c) => ` ${c} 0123456789abcdef0123456789abcdef\n`).join("");
  return (
    `Package: ${p.name}\n` +
    (withStatus ? `Status: ${p.status ?? "install ok installed"}\n` : "") +
    `Priority: optional\nArchitecture: ${p.arch ?? "amd64"}\nVersion: ${p.version}\n` +
    (conffiles === "" ? "" : `Conffiles:\n${conffiles}`) +
    `Description: the ${p.name} package\n a longer description\n .\n over lines\n`
  );
}

/** The texts of a full system's records: `/var/lib/dpkg/status` and `info/<pkg>[:arch].list`. */
export function fullRecords(packages: readonly FixturePackage[]): Map<string, string> {
  const texts = new Map<string, string>([["/var/lib/dpkg/status", packages.map((p) => stanza(p, true)).join("\n")]]);
  for (const p of packages) texts.set(`/var/lib/dpkg/info/${p.listName ?? p.name}.list`, ["/.", ...p.paths].join("\n") + "\n");
  return texts;
}

/** The texts of distroless records: `status.d/<pkg>` and `status.d/<pkg>.md5sums` (files only). */
export function distrolessRecords(packages: readonly FixturePackage[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const p of packages) {
    texts.set(`/var/lib/dpkg/status.d/${p.name}`, stanza(p, true));
    texts.set(`/var/lib/dpkg/status.d/${p.name}.md5sums`, p.paths.map((path) => `${"a".repeat(32)}  ${path.slice(1)}\n`).join(""));
  }
  return texts;
}
