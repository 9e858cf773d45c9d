import { createRequire } from "node:module";
import { parseParagraphs } from "../debian/deb822.js";

const require = createRequire(import.meta.url);
/** The SPDX License List's identifiers (the `spdx-license-ids` package). */
const SPDX_IDS: ReadonlyMap<string, string> = new Map((require("spdx-license-ids") as string[]).map((id) => [id.toLowerCase(), id]));

/**
 * Debian's short license names (the copyright-format 1.0 list) that are not SPDX ids as
 * written. `+` means "or any later version", SPDX's `-or-later`.
 */
const DEBIAN_NAMES: Readonly<Record<string, string>> = {
  expat: "MIT",
  "bsd-2-clause": "BSD-2-Clause",
  "bsd-3-clause": "BSD-3-Clause",
  "bsd-4-clause": "BSD-4-Clause",
  "apache-2": "Apache-2.0",
  artistic: "Artistic-1.0-Perl",
  "artistic-1": "Artistic-1.0",
  "artistic-2": "Artistic-2.0",
  zlib: "Zlib",
  "psf-2": "PSF-2.0",
  "mpl-1.1": "MPL-1.1",
  "mpl-2": "MPL-2.0",
  isc: "ISC",
  "openldap-2.8": "OLDAP-2.8",
  "public-domain": "", // no SPDX id: kept as a LicenseRef with its text
};

const VERSIONED = /^(a?gpl|lgpl|gfdl)-([0-9.]+)(\+?)$/i;

/** A license named in a copyright file that has no SPDX id, with its text when the file gives one. */
export interface ExtractedLicense {
  readonly id: string;
  readonly name: string;
  readonly text: string;
}

export interface PackageLicense {
  /** An SPDX license expression, or `NOASSERTION` when the copyright file is not machine-readable. */
  readonly expression: string;
  readonly extracted: readonly ExtractedLicense[];
}

/** Debian `GPL-2+` -> SPDX `GPL-2.0-or-later`; an exact SPDX id stays; otherwise undefined. */
export function spdxIdOf(debianName: string): string | undefined {
  const name = debianName.trim();
  const versioned = VERSIONED.exec(name);
  if (versioned !== null) {
    const family = (versioned[1] as string).toUpperCase();
    const version = (versioned[2] as string).includes(".") ? (versioned[2] as string) : `${versioned[2]}.0`;
    const id = `${family}-${version}-${versioned[3] === "+" ? "or-later" : "only"}`;
    return SPDX_IDS.get(id.toLowerCase());
  }
  const mapped = DEBIAN_NAMES[name.toLowerCase()];
  if (mapped !== undefined) return mapped === "" ? undefined : mapped;
  return SPDX_IDS.get(name.toLowerCase());
}

/** A LicenseRef id for a name SPDX does not list: `LicenseRef-Debian-<name>`. */
export function licenseRefOf(name: string): string {
  return `LicenseRef-Debian-${name.trim().replace(/[^A-Za-z0-9.-]+/g, "-").replace(/^-+|-+$/g, "") || "unnamed"}`;
}

/**
 * The declared license of a package from its `/usr/share/doc/<pkg>/copyright`, when that
 * file is machine-readable (copyright-format 1.0): every `Files` paragraph's `License`,
 * Debian's `or`/`and` turned into SPDX's, `with ... exception` and names without an SPDX id
 * kept as `LicenseRef-Debian-*` with their text. The expressions of the paragraphs are
 * joined with AND: the package as a whole carries all of them. Pure.
 */
export function packageLicense(copyright: string | undefined): PackageLicense {
  if (copyright === undefined) return { expression: "NOASSERTION", extracted: [] };
  let paragraphs;
  try {
    paragraphs = parseParagraphs(copyright);
  } catch {
    return { expression: "NOASSERTION", extracted: [] };
  }
  const header = paragraphs[0];
  if (header === undefined || !/copyright-format\/1\.0/.test(header.get("format") ?? "")) return { expression: "NOASSERTION", extracted: [] };
  // Stand-alone License paragraphs give the full text of names used in Files paragraphs.
  const texts = new Map<string, string>();
  for (const p of paragraphs) {
    if (p.has("files")) continue;
    const license = p.get("license");
    if (license === undefined) continue;
    const [name, ...body] = license.split("\n");
    if (name !== undefined && body.length > 0) texts.set(name.trim().toLowerCase(), licenseText(body));
  }
  const extracted = new Map<string, ExtractedLicense>();
  // The package carries every Files paragraph's license: their conjunction, each term once.
  const conjuncts: string[] = [];
  for (const p of paragraphs) {
    if (!p.has("files")) continue;
    const [first, ...body] = (p.get("license") ?? "").split("\n");
    const name = (first ?? "").trim();
    if (name === "") continue;
    const alternatives = debianExpression(name, (term) => {
      const id = licenseRefOf(term);
      if (!extracted.has(id)) {
        const text = texts.get(term.toLowerCase()) ?? (body.length > 0 ? licenseText(body) : `The Debian copyright file names this license "${term}" without its text.`);
        extracted.set(id, { id, name: term, text });
      }
      return id;
    });
    const terms = alternatives.length === 1 ? (alternatives[0] as string[]) : [`(${alternatives.map((a) => (a.length > 1 ? `(${a.join(" AND ")})` : a[0])).join(" OR ")})`];
    for (const term of terms) if (!conjuncts.includes(term)) conjuncts.push(term);
  }
  if (conjuncts.length === 0) return { expression: "NOASSERTION", extracted: [] };
  const expression = conjuncts.length === 1 ? (conjuncts[0] as string).replace(/^\((.*)\)$/, "$1") : conjuncts.join(" AND ");
  return { expression, extracted: [...extracted.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** `GPL-2+ or Artistic` -> [[GPL-2.0-or-later], [Artistic-1.0-Perl]]: alternatives of conjunctions; unknown terms via `unknown`. */
function debianExpression(name: string, unknown: (term: string) => string): string[][] {
  return name.split(/\s+or\s+/i).map((alternative) => {
    const terms = alternative.split(/\s*,?\s+and\s+|\s*,\s*/i).filter((t) => t.trim() !== "");
    return terms.map((term) => spdxIdOf(term) ?? unknown(term.trim()));
  });
}

/** The body of a License field: continuation lines, ` .` as an empty line. */
function licenseText(body: readonly string[]): string {
  return body.map((l) => (l.trim() === "." ? "" : l)).join("\n").trim();
}
