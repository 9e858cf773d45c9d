/**
 * The validated spec, every default applied: what every stage after validation reads.
 * Its input form, `MccSpec` in `spec-document.generated.ts`, is generated from
 * `schema/mcc.schema.json`, so the schema and the types cannot drift apart.
 */
import type { Arch } from "../generated/spec-document.js";

export type { Arch, MccSpec as SpecDocument } from "../generated/spec-document.js";

export const OUTPUT_FORMATS = ["oci", "oci-archive", "docker-archive", "rootfs", "iso", "kernel+initrd", "raw", "qcow2"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type MountType = "volume" | "config" | "tmpfs";

export interface Spec {
  readonly version: 1;
  readonly name: string;
  readonly tag: string;
  readonly from: SpecSource;
  readonly packages: readonly SpecPackage[];
  readonly executable: string;
  readonly args: readonly string[];
  /** Sorted by name, so equal specs are equal data. */
  readonly env: Readonly<Record<string, string>>;
  readonly user: SpecUser;
  readonly workdir: string;
  readonly mounts: readonly SpecMount[];
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly files: readonly SpecFile[];
  /** `split`: the spec's own files in a layer of their own (when there are any); `one`: a single layer. */
  readonly layers: "split" | "one";
  readonly ports: readonly SpecPort[];
  /** Sorted by name. */
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: SpecMetadata;
  /** Present when the spec has a `boot` section (the kernel is then pinned in the lock). */
  readonly boot?: SpecBoot;
  readonly outputs: readonly SpecOutput[];
}

/** How `iso` and `kernel+initrd` outputs boot. */
export interface SpecBoot {
  /** The kernel package; undefined: the default of the architecture. */
  readonly kernel?: string;
  readonly cmdline: string;
  /** Undefined: the default of the architecture. */
  readonly console?: string;
  readonly onExit: "poweroff" | "restart" | "reboot";
  /** Undefined: DHCP when the spec declares ports, loopback only otherwise (`bootNetwork`). */
  readonly network?: SpecNetwork;
  /** Kernel modules to load besides mcc's own (`DEFAULT_MODULES`), as the spec names them. */
  readonly modules: readonly string[];
}

/** An appliance's network: loopback only, DHCP on an interface, or a static address. */
export type SpecNetwork =
  | { readonly kind: "none" }
  | { readonly kind: "dhcp"; readonly interface: string }
  | { readonly kind: "static"; readonly interface: string; readonly address: string; readonly prefix: number; readonly gateway?: string; readonly dns: readonly string[] };

/** What mcc records about the image's contents (all on by default). */
export interface SpecMetadata {
  /** An SPDX 2.3 SBOM beside each output and attached to OCI layouts. */
  readonly sbom: boolean;
  /** mcc's provenance document (why each file, the plan) beside each output and attached to OCI layouts. */
  readonly provenance: boolean;
  /** `/var/lib/dpkg/status.d/` entries, listing only kept files, for scanners. */
  readonly dpkgStatus: boolean;
}

export interface SpecSource {
  readonly distro: "debian";
  readonly release: string;
  readonly archs: readonly Arch[];
  /** Undefined: taken from the host's apt sources, then MCC_MIRROR, when resolving. */
  readonly mirror?: string;
  readonly components: readonly string[];
  /** As written; relative paths are relative to the spec's directory. */
  readonly keyring?: string;
  /** Add the packages the spec's own files need, found in the Contents index. */
  readonly infer: boolean;
}

/** A package of the archive by name (and an exact version pin, `name=version`), or a local `.deb` by its path. */
export type SpecPackage = ArchivePackage | LocalPackage;

export interface ArchivePackage {
  readonly name: string;
  /** An exact version pin (`name=version`). */
  readonly version?: string;
}

/** A `.deb` of the repository: a path with a `/`, relative to the spec's directory, as apt takes `./app.deb`. */
export interface LocalPackage {
  readonly deb: string;
}

export interface SpecUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export interface SpecMount {
  readonly path: string;
  readonly type: MountType;
}

export type SpecFile =
  /** A repository file, or a directory copied whole (less what `exclude` names). */
  | { readonly kind: "source"; readonly path: string; readonly source: string; readonly mode: number; readonly exclude: readonly string[]; readonly unpack: boolean }
  | { readonly kind: "content"; readonly path: string; readonly content: string; readonly mode: number };

export interface SpecPort {
  readonly port: number;
  readonly protocol: "tcp" | "udp" | "sctp";
}

export interface SpecOutput {
  readonly format: OutputFormat;
  /** As written or defaulted; relative paths are relative to the current directory. */
  readonly path: string;
}
