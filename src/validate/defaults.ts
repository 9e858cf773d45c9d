import type { SpecMount, SpecUser } from "../types/spec.js";

/**
 * The defaults of the spec format. The schema states the same values (editors show them);
 * a test checks that the two agree.
 */
export const DEFAULTS = {
  tag: "latest",
  distro: "debian",
  release: "trixie",
  components: ["main"],
  workdir: "/write",
  user: { name: "nonroot", uid: 65532, gid: 65532 } satisfies SpecUser,
  mounts: [
    { path: "/run", type: "tmpfs" },
    { path: "/write", type: "volume" },
    { path: "/read", type: "config" },
  ] satisfies SpecMount[],
  fileMode: 0o644,
  metadata: { sbom: true, provenance: true, dpkgStatus: true },
} as const;

const OUTPUT_SUFFIX: Record<string, string> = {
  oci: "",
  "oci-archive": ".oci.tar",
  "docker-archive": ".docker.tar",
  rootfs: ".rootfs",
  iso: ".iso",
  "kernel+initrd": ".boot",
};

/** Where an output goes when the spec gives no path: `out/<name>` plus a suffix per format. */
export function defaultOutputPath(name: string, format: string): string {
  return `out/${name}${OUTPUT_SUFFIX[format] ?? `.${format}`}`;
}
