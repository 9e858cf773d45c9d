/**
 * The parameters of each kind of step. A step's id hashes its parameters, and its handler is
 * given these and its inputs' results and nothing else (no spec, no environment): so whatever
 * a handler reads is in its cache key, by construction. The types of the stages' inputs are
 * the same fields (`TreeSpec`, `ConfigSpec`, `InitSpec`), so the compiler holds the two together.
 */
import type { SpecNetwork } from "../types/spec.js";
import type { SbomStepParams } from "../sbom/image-sbom.js";
import type { ProvenancePackage, ProvenanceStep } from "../provenance/provenance.js";
import type { ConfigStart } from "../formats/oci-documents.js";
import type { OutputFormat, Spec } from "../types/spec.js";

/** A .deb in the archive's pool. */
export interface FetchParams {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly sha256: string;
  readonly size: number;
  readonly filename: string;
  readonly archive: "mirror" | "security" | "local";
}

/** What of the spec decides which files the image holds, and how they are laid out. */
export interface TreeParams {
  readonly arch: string;
  readonly release: string;
  readonly executable: string;
  readonly include: Spec["include"];
  readonly exclude: Spec["exclude"];
  readonly env: Spec["env"];
  readonly user: Spec["user"];
  readonly workdir: string;
  readonly mounts: Spec["mounts"];
  readonly dpkgStatus: boolean;
  /**
   * The spec's files: their bytes by sha256 (in the cache; `null` only for a plan made without
   * them), and where each came from (a repository path, or null for inline content). A
   * directory source is here file by file, with its links and directories beside.
   */
  readonly files: readonly SpecFileParams[];
  readonly links?: readonly SpecLinkParams[];
  readonly dirs?: readonly SpecDirParams[];
}

export interface SpecFileParams {
  readonly path: string;
  readonly mode: number;
  readonly sha256: string | null;
  readonly source: string | null;
}
export interface SpecLinkParams {
  readonly path: string;
  readonly target: string;
  readonly source: string;
}
export interface SpecDirParams {
  readonly path: string;
  readonly source: string;
}

/** What the spec's `files` put into the image, as the tree step's parameters carry it. */
export interface SpecEntries {
  readonly files: readonly SpecFileParams[];
  readonly links: readonly SpecLinkParams[];
  readonly dirs: readonly SpecDirParams[];
}

/** The program's process as the spec says it: what runs, with what, as whom, where, over which mounts. */
interface ProcessParams {
  readonly executable: string;
  readonly args: Spec["args"];
  readonly env: Spec["env"];
  readonly user: Spec["user"];
  readonly workdir: string;
  readonly mounts: Spec["mounts"];
}

/** What of the spec the image config says: changing only these reuses the layer. */
export interface ConfigParams extends ProcessParams {
  readonly arch: string;
  readonly epoch: number;
  readonly name: string;
  readonly ports: Spec["ports"];
  readonly labels: Spec["labels"];
  /**
   * An image's own Entrypoint/Cmd split, which `mcc minify` keeps (absent for a compiled image:
   * the executable is the Entrypoint, `args` the Cmd).
   */
  readonly start?: ConfigStart;
}

/** What the generated init does: the process, its mounts, and what follows its exit. */
export interface InitramfsParams extends ProcessParams {
  readonly arch: string;
  readonly epoch: number;
  readonly onExit: "poweroff" | "restart" | "reboot";
  /** Kernel modules to load at boot (with what they depend on), from the kernel package: mcc's own, skipped where the kernel has none of the name. */
  readonly modules: readonly string[];
  /** The spec's `boot.modules`: the same, but each must be in the kernel package (built in or a file). */
  readonly required: readonly string[];
  /** The host name (the spec's name), the network, and the ports (for the lowest a user may bind). */
  readonly name: string;
  readonly network: SpecNetwork;
  readonly ports: Spec["ports"];
}

/** One ISO boots every architecture built, each with its own kernel command line. */
export interface IsoParams {
  readonly epoch: number;
  readonly name: string;
  readonly images: readonly { readonly arch: string; readonly cmdline: string; readonly packages: number }[];
}

/** An output: its format and place, the image's name and tag, one architecture's for single-platform formats. */
export interface EmitParams {
  readonly format: OutputFormat;
  readonly path: string;
  readonly arch?: string;
  readonly tag: string;
  readonly name: string;
  /** SOURCE_DATE_EPOCH, for the timestamps of archive outputs. */
  readonly epoch: number;
  readonly cmdline?: string;
}

export interface ProvenanceParams {
  readonly arch: string;
  readonly epoch: number;
  readonly name: string;
  readonly release: string;
  readonly executable: string;
  readonly tool: string;
  readonly packages: readonly ProvenancePackage[];
  readonly steps: readonly ProvenanceStep[];
}

/** Every kind of step, with its parameters. */
export interface StepParams {
  /**
   * The source of a minified image: its traced tree, kept in the cache as a JSON blob by
   * `mcc minify` (which reads the image and traces it); the step gives it back by its digest.
   */
  readonly "image-tree": { readonly sha256: string };
  readonly fetch: FetchParams;
  readonly unpack: { readonly name: string; readonly sha256: string };
  readonly tree: TreeParams;
  /** `part`: which of the image's files, when the spec's own have a layer of their own. */
  readonly layer: { readonly epoch: number; readonly part?: "packages" | "spec" };
  readonly config: ConfigParams;
  readonly manifest: { readonly arch: string; readonly epoch: number; readonly name: string };
  readonly sbom: SbomStepParams;
  readonly provenance: ProvenanceParams;
  readonly index: { readonly archs: readonly string[] };
  readonly initramfs: InitramfsParams;
  readonly iso: IsoParams;
  readonly disk: IsoParams;
  readonly emit: EmitParams;
}

export type StepKind = keyof StepParams;
