import { parseParagraphs } from "./deb822.js";
import { mergedUsrPath } from "./merged-usr.js";

/** A package the image's dpkg database says is installed. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  /**
   * The stanza as dpkg recorded it, less `Status` and `Conffiles` (the fields an installed
   * system adds): what `status.d/<name>` is written from, as a .deb's control file would be.
   */
  readonly control: string;
  /** The conffiles dpkg recorded (absolute paths, as the package ships them). */
  readonly conffiles: readonly string[];
}

/** Who owns a path: the package, and the path as the package lists it (`/bin/ls` in bookworm). */
export interface PathOwner {
  readonly pkg: string;
  readonly path: string;
}

/** What the image's dpkg database says: the installed packages, and the owner of each path. */
export interface DpkgDatabase {
  /** Where the records were found: a full system's, a distroless image's, or none. */
  readonly kind: "status" | "status.d" | "none";
  /** Sorted by name. */
  readonly packages: readonly InstalledPackage[];
  /** By merged-/usr path (every path of the image is looked up that way). */
  readonly owners: ReadonlyMap<string, PathOwner>;
}

const STATUS = "/var/lib/dpkg/status";
const INFO_LIST = /^\/var\/lib\/dpkg\/info\/([^/:]+)(?::[^/]+)?\.list$/;
const STATUS_D = /^\/var\/lib\/dpkg\/status\.d\/([^/]+)$/;

/** The files of the image that `parseDpkgDatabase` reads, so callers read only those. */
export function isDpkgRecord(path: string): boolean {
  return path === STATUS || INFO_LIST.test(path) || STATUS_D.test(path);
}

/**
 * The package that owns an image path, looked up as the database keys it: through merged /usr,
 * so a bookworm `.list`'s `/bin/ls` finds the image's `/usr/bin/ls` (and an unmerged image's
 * `/bin/ls` finds it too).
 */
export function ownerOf(database: DpkgDatabase, path: string): PathOwner | undefined {
  // `/bin` itself would be looked up as `/usr/bin`, a directory every other list names: the
  // merged-/usr links are the image's layout, as directories are, and nobody's file.
  const merged = mergedUsrPath(path);
  return merged !== path && path.lastIndexOf("/") === 0 ? undefined : database.owners.get(merged);
}

/**
 * The dpkg database from the text of its files, by image path: `/var/lib/dpkg/status` and
 * `info/<pkg>[:<arch>].list` on a system dpkg installed (mmdebstrap, debootstrap, a
 * `FROM debian` image), else `status.d/<pkg>` and `status.d/<pkg>.md5sums` as distroless and
 * mcc write them. Only packages whose state is `installed` count (`install ok installed`, or
 * held or selected for removal but still on disk: `hold ok installed`); a removed package's
 * leftover conffiles or list, or a half-installed one, do not. A path several lists name
 * (directories, mostly) goes to the first package by name. Used by `mcc minify` (tracing) and
 * by `mcc inspect` and `mcc diff` (attribution). Pure.
 */
export function parseDpkgDatabase(texts: ReadonlyMap<string, string>): DpkgDatabase {
  const status = texts.get(STATUS);
  if (status !== undefined) return fromStatus(status, texts);
  const stanzas = [...texts].filter(([p]) => STATUS_D.test(p) && !p.endsWith(".md5sums"));
  if (stanzas.length > 0) return fromStatusD(texts);
  return { kind: "none", packages: [], owners: new Map() };
}

function fromStatus(status: string, texts: ReadonlyMap<string, string>): DpkgDatabase {
  const packages = rawStanzas(status).flatMap((raw) => {
    const p = installed(raw);
    return p === undefined ? [] : [p];
  });
  const names = new Set(packages.map((p) => p.name));
  const owners = new Map<string, PathOwner>();
  const lists = [...texts].flatMap(([path, text]) => {
    const name = INFO_LIST.exec(path)?.[1];
    return name !== undefined && names.has(name) ? [[name, text] as const] : [];
  });
  for (const [pkg, text] of lists.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const line of text.split("\n")) {
      if (!line.startsWith("/") || line === "/.") continue;
      const merged = mergedUsrPath(line);
      if (!owners.has(merged)) owners.set(merged, { pkg, path: line });
    }
  }
  return { kind: "status", packages: sortByName(packages), owners };
}

function fromStatusD(texts: ReadonlyMap<string, string>): DpkgDatabase {
  const packages: InstalledPackage[] = [];
  const owners = new Map<string, PathOwner>();
  for (const [path, text] of [...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const file = STATUS_D.exec(path)?.[1];
    if (file === undefined) continue;
    if (file.endsWith(".md5sums")) {
      const pkg = file.slice(0, -".md5sums".length);
      for (const line of text.split("\n")) {
        // `<32 hex>  <path without the leading slash>`
        if (line.length <= 34) continue;
        const listed = `/${line.slice(34)}`;
        const merged = mergedUsrPath(listed);
        if (!owners.has(merged)) owners.set(merged, { pkg, path: listed });
      }
      continue;
    }
    for (const raw of rawStanzas(text)) {
      const p = installed(raw, true);
      if (p === undefined) continue;
      packages.push(p);
      for (const conffile of p.conffiles) if (!owners.has(mergedUsrPath(conffile))) owners.set(mergedUsrPath(conffile), { pkg: p.name, path: conffile });
    }
  }
  return { kind: "status.d", packages: sortByName(packages), owners };
}

/** A stanza's package when it is installed (distroless stanzas may lack `Status`: they are). */
function installed(raw: string, statusOptional = false): InstalledPackage | undefined {
  const fields = parseParagraphs(raw)[0];
  const name = fields?.get("package");
  if (fields === undefined || name === undefined) return undefined;
  // `Status: <want> <flag> <state>`: only the state says what is on disk.
  const state = fields.get("status");
  if (state === undefined ? !statusOptional : state.trim().split(/\s+/)[2] !== "installed") return undefined;
  const conffiles = (fields.get("conffiles") ?? "")
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((p) => p.startsWith("/"));
  return { name, version: fields.get("version") ?? "", arch: fields.get("architecture") ?? "", control: withoutInstallFields(raw), conffiles };
}

/** The stanzas of a deb822 text, as written (field order and spelling kept). */
function rawStanzas(text: string): string[] {
  return text
    .replace(/\r\n/g, "\n")
    .split(/\n[ \t]*\n/)
    .map((s) => s.replace(/^\n+/, ""))
    .filter((s) => s.trim() !== "");
}

/** Drops `Status` and `Conffiles` (with its continuation lines): dpkg-status.ts writes them anew. */
function withoutInstallFields(stanza: string): string {
  const out: string[] = [];
  let dropping = false;
  for (const line of stanza.split("\n")) {
    if (/^[ \t]/.test(line)) {
      if (!dropping) out.push(line);
      continue;
    }
    dropping = /^(Status|Conffiles):/i.test(line);
    if (!dropping) out.push(line);
  }
  return out.join("\n").replace(/\n+$/, "") + "\n";
}

function sortByName(packages: InstalledPackage[]): InstalledPackage[] {
  return packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
