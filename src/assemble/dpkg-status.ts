import type { Reason } from "../trace/trace.js";

/** A package that put at least one file or link into the image, and what of it was kept. */
export interface ContributingPackage {
  readonly name: string;
  /** The package's `control` file, as shipped in the .deb. */
  readonly control: string;
  /** The regular files kept, at the package's own paths (no leading `/`), with their md5. */
  readonly files: readonly { readonly path: string; readonly md5: string }[];
  /** The kept conffiles (absolute paths), which dpkg records in the stanza rather than md5sums. */
  readonly conffiles: readonly { readonly path: string; readonly md5: string }[];
}

/** Where dpkg's per-package records go in a distroless-style image. */
export const STATUS_DIR = "/var/lib/dpkg/status.d";

export const DPKG_STATUS_REASON: Reason = {
  kind: "rule",
  rule: "dpkg-status",
  why: "vulnerability scanners (Trivy, Syft/Grype) find Debian packages through /var/lib/dpkg/status.d and map files to packages through the .md5sums beside it",
};

/**
 * `status.d/<package>`: the control stanza, marked installed as dpkg's status file would mark
 * it; `status.d/<package>.md5sums`: the md5sums lines of the files that remain, so that a
 * scanner's file-to-package map never names a file the image does not hold. Pure.
 */
export function dpkgStatusFiles(packages: readonly ContributingPackage[]): { path: string; content: string }[] {
  const out: { path: string; content: string }[] = [];
  for (const pkg of [...packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    out.push({ path: `${STATUS_DIR}/${pkg.name}`, content: statusStanza(pkg.control, pkg.conffiles) });
    const lines = [...pkg.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => `${f.md5}  ${f.path}\n`);
    if (lines.length > 0) out.push({ path: `${STATUS_DIR}/${pkg.name}.md5sums`, content: lines.join("") });
  }
  return out;
}

/**
 * The control stanza as dpkg's status file holds it: `Status: install ok installed` after
 * `Package:`, and the kept conffiles with their md5 in `Conffiles:`. One trailing newline.
 */
export function statusStanza(control: string, conffiles: readonly { path: string; md5: string }[] = []): string {
  const lines = control.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n").filter((l) => !/^Status:/i.test(l));
  const at = lines.findIndex((l) => /^Package:/i.test(l));
  lines.splice(at < 0 ? 0 : at + 1, 0, "Status: install ok installed");
  if (conffiles.length > 0) {
    const sorted = [...conffiles].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    lines.push("Conffiles:", ...sorted.map((c) => ` ${c.path} ${c.md5}`));
  }
  return lines.join("\n") + "\n";
}
