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

/**
 * The SPDX 2.3 document of an image: the image and its layer, each Debian package that put a
 * file into it (purl, source package, the .deb's sha256, the license its copyright file
 * declares), and every file with SHA1 and SHA256 and the package it came from. Ids derive from
 * names and paths and `created` from SOURCE_DATE_EPOCH, so equal inputs give equal bytes. Pure.
 */
export function spdxDocument(input: SbomInput): object {
  const created = new Date(input.epoch * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const manifestHex = input.image.manifest.replace(/^sha256:/, "");
  const imageId = "SPDXRef-Image";
  const layerId = "SPDXRef-Layer";
  // With the spec's own files in a layer of their own: that second layer holds them.
  const layerIds = input.image.layers.map((_, i) => (i === 0 ? layerId : `${layerId}-${i + 1}`));
  const specLayerId = layerIds[layerIds.length - 1] as string;
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
  const distro = input.releaseVersion ?? input.release;
  const packageId = (p: { name: string; arch: string }) => `SPDXRef-Package-deb-${idPart(p.name)}-${idPart(p.arch)}`;
  const fileId = (path: string) => `SPDXRef-File-${createHash("sha256").update(path).digest("hex").slice(0, 20)}`;

  const packages: object[] = [
    {
      name: input.name,
      SPDXID: imageId,
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
  ];
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
    { spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: imageId },
    ...layerIds.map((id) => ({ spdxElementId: imageId, relationshipType: "CONTAINS", relatedSpdxElement: id })),
  ];
  for (const p of input.packages) relationships.push({ spdxElementId: layerId, relationshipType: "CONTAINS", relatedSpdxElement: packageId(p) });
  for (const f of input.files) {
    relationships.push({ spdxElementId: known.get(f.pkg) ?? (f.pkg === "(spec)" ? specLayerId : layerId), relationshipType: "CONTAINS", relatedSpdxElement: fileId(f.path) });
  }

  return {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name: `${input.name}:${input.tag} (linux/${input.arch})`,
    documentNamespace: `urn:uuid:${nameBasedUuid(`${input.tool} ${input.image.manifest}`)}`,
    creationInfo: { created, creators: [`Tool: ${input.tool}`] },
    packages,
    files,
    ...(extracted.size > 0
      ? { hasExtractedLicensingInfos: [...extracted.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((e) => ({ licenseId: e.id, name: e.name, extractedText: e.text })) }
      : {}),
    relationships,
  };
}

/** The SBOM's bytes: two-space JSON and a trailing newline. */
export function spdxBytes(input: SbomInput): Buffer {
  return Buffer.from(JSON.stringify(spdxDocument(input), null, 2) + "\n");
}

/** A UUID (version 8, RFC 9562) from the sha256 of a name: unique per image, the same on every rebuild. */
function nameBasedUuid(name: string): string {
  const b = createHash("sha256").update(name).digest().subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x80;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
