// Reading an OCI layout mcc wrote, as the integration tests check it: its one image entry, the
// name podman and umoci know it by, and the referrers listed in the index its annotation names.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REF_NAME, REFERRERS_ANNOTATION } from "../../src/formats/oci-layout.js";

export interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface LayoutIndexJson {
  manifests: LayoutDescriptor[];
  annotations?: Record<string, string>;
}

export const layoutIndexOf = (layout: string): LayoutIndexJson => JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as LayoutIndexJson;

/** The image index.json names: its only entry (the test fails when there are more). */
export function layoutImage(layout: string): LayoutDescriptor {
  const { manifests } = layoutIndexOf(layout);
  if (manifests.length !== 1) throw new Error(`${layout}: index.json lists ${manifests.length} entries, not one`);
  return manifests[0]!;
}

/** The name index.json gives the image (`NAME:TAG`). */
export const refNameOf = (layout: string): string => layoutImage(layout).annotations?.[REF_NAME] ?? "";

/** The referrers (SBOM and provenance artifact manifests) of the index index.json's annotation names. */
export function layoutReferrers(layout: string): LayoutDescriptor[] {
  const digest = layoutIndexOf(layout).annotations?.[REFERRERS_ANNOTATION];
  if (digest === undefined) return [];
  return (JSON.parse(readFileSync(join(layout, "blobs", "sha256", digest.slice(7)), "utf8")) as LayoutIndexJson).manifests;
}
