/**
 * Debian package names and versions as Debian Policy (5.6.1, 5.6.12) and dpkg's own parser
 * define them. Checked when the spec is validated, long before the archive is asked.
 */

/**
 * Whether a `packages` entry names a local `.deb` rather than a package of the archive: it
 * holds a `/` (`./app.deb`, `dist/app_1.0_amd64.deb`), which no package name may, as apt tells
 * `apt install ./app.deb` from `apt install app`.
 */
export function isLocalPackage(ref: string): boolean {
  return ref.includes("/");
}

/** Why a string is not a Debian package name, or undefined when it is one. */
export function packageNameProblem(name: string): string | undefined {
  if (name.length === 0) return "the name is empty";
  if (/[A-Z]/.test(name)) return "package names are lowercase";
  const bad = /[^a-z0-9+.-]/.exec(name);
  if (bad !== null) return `'${bad[0]}' may not appear in a package name (only a-z, 0-9, '+', '-' and '.')`;
  if (!/^[a-z0-9]/.test(name)) return "a package name starts with a letter or digit";
  if (name.length < 2) return "a package name is at least two characters long";
  return undefined;
}

/** Why a string is not a Debian version (`[epoch:]upstream[-revision]`), or undefined. */
export function versionProblem(version: string): string | undefined {
  if (version.length === 0) return "the version is empty";
  if (/\s/.test(version)) return "a version has no spaces";
  let rest = version;
  const colon = rest.indexOf(":");
  if (colon !== -1) {
    const epoch = rest.slice(0, colon);
    if (!/^[0-9]+$/.test(epoch)) return `the epoch '${epoch}' is not a number`;
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf("-");
  const upstream = dash === -1 ? rest : rest.slice(0, dash);
  const revision = dash === -1 ? undefined : rest.slice(dash + 1);
  if (upstream.length === 0) return "the upstream version is empty";
  if (!/^[0-9]/.test(upstream)) return "the upstream version must start with a digit";
  const badUpstream = /[^A-Za-z0-9.+~:-]/.exec(upstream);
  if (badUpstream !== null) return `'${badUpstream[0]}' may not appear in an upstream version`;
  if (revision !== undefined) {
    if (revision.length === 0) return "the revision after '-' is empty";
    const badRevision = /[^A-Za-z0-9.+~]/.exec(revision);
    if (badRevision !== null) return `'${badRevision[0]}' may not appear in a Debian revision`;
  }
  return undefined;
}

/** A package the spec names, optionally pinned. */
export interface PackageRef {
  readonly name: string;
  readonly version?: string;
}

/** Splits `name=version` (the version may itself hold `=`-free text only). */
export function splitPackageRef(ref: string): { name: string; version?: string } {
  const eq = ref.indexOf("=");
  return eq === -1 ? { name: ref } : { name: ref.slice(0, eq), version: ref.slice(eq + 1) };
}
