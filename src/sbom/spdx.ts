import { createHash } from "node:crypto";
import type { ExtractedLicense } from "./debian-licenses.js";

/** Everything an SBOM says, gathered by the build: plain data, no I/O. */
export interface SbomInput {
  readonly name: string;
  readonly tag: string;
  readonly arch: string;
  /** The Debian release's codename, and its version number when known (`12`). */
  readonly release: string;
  readonly releaseVersion?: string;
  readonly epoch: number;
  /** `mcc-<version>`. */
  readonly tool: string;
  /** The manifest, and its layers bottom first (with two, the packages' files and then the spec's own). */
  readonly image: { readonly manifest: string; readonly layers: readonly { readonly digest: string; readonly diffId: string }[] };
  readonly packages: readonly SbomPackage[];
  /** Every regular file of the image, sorted by path. */
  readonly files: readonly SbomFile[];
}

export interface SbomPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly source: string;
  /** sha256 of the .deb; empty when there is none (a package found installed in an image). */
  readonly sha256: string;
  /** A local .deb of the spec's repository (its path): the user's package, not Debian's. */
  readonly local?: string;
  readonly license: string;
  readonly extracted: readonly ExtractedLicense[];
}

export interface SbomFile {
  readonly path: string;
  readonly sha256: string;
  readonly sha1: string;
  /** The Debian package it came from, or `(mcc)` / `(spec)`. */
  readonly pkg: string;
  /** For files mcc wrote: why. */
  readonly comment?: string;
}

/** `pkg:deb/debian/<name>@<version>?arch=<arch>&distro=debian-<version or codename>`. */
export function debPurl(pkg: { name: string; version: string; arch: string }, distro: string): string {
  return `pkg:deb/debian/${encodeURIComponent(pkg.name)}@${encodeURIComponent(pkg.version)}?arch=${encodeURIComponent(pkg.arch)}&distro=debian-${encodeURIComponent(distro)}`;
}

/** A package of no distribution's: `pkg:deb/<name>@<version>?arch=<arch>`, without the vendor a namespace would name. */
export function localDebPurl(pkg: { name: string; version: string; arch: string }): string {
  return `pkg:deb/${encodeURIComponent(pkg.name)}@${encodeURIComponent(pkg.version)}?arch=${encodeURIComponent(pkg.arch)}`;
}

/** An SPDX id from any name: characters outside `[A-Za-z0-9.-]` spelled as `-<hex>`, so distinct names stay distinct. */
function idPart(name: string): string {
  return name.replace(/[^A-Za-z0-9.]/g, (c) => `-${c.codePointAt(0)?.toString(16)}`);
}

/** What the SBOM says that does not depend on the image's digests: its packages and files. */
export type SbomFilesInput = Pick<SbomInput, "release" | "releaseVersion" | "packages" | "files"> & {
  /** How many layers the image has (its files' relationships name the last). */
  readonly layerCount: number;
};

/**
 * The SPDX 2.3 document of an image: the image and its layer, each Debian package that put a
 * file into it (purl, source package, the .deb's sha256, the license its copyright file
 * declares), and every file with SHA1 and SHA256 and the package it came from. Ids derive from
 * names and paths and `created` from SOURCE_DATE_EPOCH, so equal inputs give equal bytes. Pure.
 * The reference for spdxBytes, which writes the same text in two parts.
 */
export function spdxDocument(input: SbomInput): object {
  const image = imagePart(input);
  const files = filesPart({ ...input, layerCount: input.image.layers.length });
  return { ...image.top, packages: [...image.packages, ...files.packages], ...files.rest };
}

/** The document's fields up to its packages, and the image's and its layers' packages. */
function imagePart(input: SbomImageInput): { top: object; packages: object[] } {
  const created = new Date(input.epoch * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const manifestHex = input.image.manifest.replace(/^sha256:/, "");
  const layerIds = layerIdsOf(input.image.layers.length);
  const ordinal = ["first", "second", "third"];
  const layerPackages = input.image.layers.map((layer, i) => ({
    name: i === 0 ? `${input.name} layer` : `${input.name} layer ${i + 1}`,
    SPDXID: layerIds[i],
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    primaryPackagePurpose: "ARCHIVE",
    checksums: [{ algorithm: "SHA256", checksumValue: layer.digest.replace(/^sha256:/, "") }],
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "NOASSERTION",
    copyrightText: "NOASSERTION",
    comment:
      input.image.layers.length === 1
        ? `The image's one layer (tar+gzip); its uncompressed digest (diff_id) is ${layer.diffId}.`
        : `The image's ${ordinal[i] ?? `layer ${i + 1}`} layer (tar+gzip), ${i === 0 ? "the packages' files" : "the spec's own files"}; its uncompressed digest (diff_id) is ${layer.diffId}.`,
  }));
  return {
    top: {
      spdxVersion: "SPDX-2.3",
      dataLicense: "CC0-1.0",
      SPDXID: "SPDXRef-DOCUMENT",
      name: `${input.name}:${input.tag} (linux/${input.arch})`,
      documentNamespace: `urn:uuid:${nameBasedUuid(`${input.tool} ${input.image.manifest}`)}`,
      creationInfo: { created, creators: [`Tool: ${input.tool}`] },
    },
    packages: [
      {
        name: input.name,
        SPDXID: IMAGE_ID,
        versionInfo: input.tag,
        downloadLocation: "NOASSERTION",
        filesAnalyzed: false,
        primaryPackagePurpose: "CONTAINER",
        checksums: [{ algorithm: "SHA256", checksumValue: manifestHex }],
        externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: `pkg:oci/${encodeURIComponent(input.name)}@sha256%3A${manifestHex}?arch=${encodeURIComponent(input.arch)}&tag=${encodeURIComponent(input.tag)}` }],
        licenseConcluded: "NOASSERTION",
        licenseDeclared: "NOASSERTION",
        copyrightText: "NOASSERTION",
        comment: `The OCI image manifest ${input.image.manifest} for linux/${input.arch}, built by ${input.tool}.`,
      },
      ...layerPackages,
    ],
  };
}

const IMAGE_ID = "SPDXRef-Image";

/** The layers' ids, bottom first; with the spec's own files in a layer of their own, the last holds them. */
function layerIdsOf(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? "SPDXRef-Layer" : `SPDXRef-Layer-${i + 1}`));
}

/** The Debian packages (after the image's own), and the fields after the packages: files, licenses, relationships. */
function filesPart(input: SbomFilesInput): { packages: object[]; rest: object } {
  const layerIds = layerIdsOf(input.layerCount);
  const layerId = layerIds[0] as string;
  const specLayerId = layerIds[layerIds.length - 1] as string;
  const distro = input.releaseVersion ?? input.release;
  const packageId = (p: { name: string; arch: string }) => `SPDXRef-Package-deb-${idPart(p.name)}-${idPart(p.arch)}`;
  const fileId = (path: string) => `SPDXRef-File-${createHash("sha256").update(path).digest("hex").slice(0, 20)}`;

  const packages: object[] = [];
  const extracted = new Map<string, ExtractedLicense>();
  for (const p of input.packages) {
    for (const e of p.extracted) if (!extracted.has(e.id)) extracted.set(e.id, e);
    packages.push({
      name: p.name,
      SPDXID: packageId(p),
      versionInfo: p.version,
      supplier: p.local === undefined ? "Organization: Debian" : "NOASSERTION",
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      sourceInfo: p.local === undefined ? `built from the Debian source package ${p.source}` : `a local package of the spec's repository (${p.local}), built from the source package ${p.source}`,
      // A package found installed in an image (mcc minify) has no .deb to take a digest of.
      ...(p.sha256 === "" ? {} : { checksums: [{ algorithm: "SHA256", checksumValue: p.sha256 }] }),
      externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: p.local === undefined ? debPurl(p, distro) : localDebPurl(p) }],
      licenseConcluded: "NOASSERTION",
      licenseDeclared: p.license,
      copyrightText: "NOASSERTION",
    });
  }

  const known = new Map(input.packages.map((p) => [p.name, packageId(p)]));
  const files = input.files.map((f) => ({
    fileName: `.${f.path}`,
    SPDXID: fileId(f.path),
    checksums: [
      { algorithm: "SHA1", checksumValue: f.sha1 },
      { algorithm: "SHA256", checksumValue: f.sha256 },
    ],
    licenseConcluded: "NOASSERTION",
    copyrightText: "NOASSERTION",
    ...(f.comment === undefined ? {} : { comment: f.comment }),
  }));

  const relationships: object[] = [
    { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: IMAGE_ID },
    ...layerIds.map((id) => ({ spdxElementId: IMAGE_ID, relationshipType: "CONTAINS", relatedSpdxElement: id })),
  ];
  for (const p of input.packages) relationships.push({ spdxElementId: layerId, relationshipType: "CONTAINS", relatedSpdxElement: packageId(p) });
  for (const f of input.files) {
    relationships.push({ spdxElementId: known.get(f.pkg) ?? (f.pkg === "(spec)" ? specLayerId : layerId), relationshipType: "CONTAINS", relatedSpdxElement: fileId(f.path) });
  }

  return {
    packages,
    rest: {
      files,
      ...(extracted.size > 0
        ? { hasExtractedLicensingInfos: [...extracted.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => ({ licenseId: e.id, name: e.name, extractedText: e.text })) }
        : {}),
      relationships,
    },
  };
}

/**
 * The image-independent part of the document as text, ready to be joined to an image's: the
 * Debian packages' entries, and the fields after the packages. Plain strings, so a build whose
 * image changed but whose files did not (a new `args`) keeps them and writes no file list again.
 */
export interface SpdxFilesText {
  /** The packages' entries, each indented for its place in the `packages` array, joined by commas; empty when there are none. */
  readonly packages: string;
  /** The fields after `packages`, as they stand in the document. */
  readonly rest: string;
}

export function spdxFilesText(input: SbomFilesInput): SpdxFilesText {
  const part = filesPart(input);
  return { packages: part.packages.map((p) => element(p, "    ")).join(",\n"), rest: fields(part.rest) };
}

/** The SBOM's bytes: two-space JSON and a trailing newline, exactly `JSON.stringify(spdxDocument(input), null, 2)`. */
export function spdxBytes(input: SbomInput): Buffer {
  return spdxJoin(input, spdxFilesText({ ...input, layerCount: input.image.layers.length }));
}

/** What the document says of the image itself: everything but its packages and files. */
export type SbomImageInput = Omit<SbomInput, "packages" | "files">;

/** The SBOM's bytes from the image's part, made here, and the files' part (spdxFilesText, made now or kept from before). */
export function spdxJoin(input: SbomImageInput, files: SpdxFilesText): Buffer {
  const image = imagePart(input);
  const packages = [...image.packages.map((p) => element(p, "    ")), ...(files.packages === "" ? [] : [files.packages])].join(",\n");
  return Buffer.from(`{\n${fields(image.top)},\n  "packages": [\n${packages}\n  ],\n${files.rest}\n}\n`);
}

/** One value as JSON.stringify(_, null, 2) writes it inside a structure, its lines indented by `indent`. */
function element(value: unknown, indent: string): string {
  return indent + JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
}

/** An object's fields as they stand in the top-level object (two spaces in), joined by commas, without the braces. */
function fields(object: object): string {
  return Object.entries(object)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => element(key, "  ") + ": " + element(value, "  ").slice(2))
    .join(",\n");
}

/** A UUID (version 8, RFC 9562) from the sha256 of a name: unique per image, the same on every rebuild. */
function nameBasedUuid(name: string): string {
  const b = createHash("sha256").update(name).digest().subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x80;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
