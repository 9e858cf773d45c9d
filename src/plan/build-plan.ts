import { bootNetwork } from "../boot/init-plan.js";
import { DEFAULT_MODULES } from "../boot/kernel-modules.js";
import { createHash } from "node:crypto";
import type { LockedArch } from "../resolve/lock.js";
import { DEFAULT_CONSOLE } from "../resolve/boot-packages.js";
import type { OutputFormat, Spec, SpecOutput } from "../types/spec.js";
import type { ConfigParams, EmitParams, SpecEntries, StepKind, StepParams, TreeParams } from "./step-params.js";

export type { StepKind, StepParams } from "./step-params.js";

/**
 * One step of a build. Its id is the sha256 of its kind, its parameters and its inputs' ids,
 * so a step's id changes exactly when something it depends on changes, and a cached result
 * under that id is the result.
 */
export interface PlanStepOf<K extends StepKind> {
  readonly id: string;
  readonly kind: K;
  readonly label: string;
  readonly params: StepParams[K];
  readonly inputs: readonly string[];
}

/** A step of any kind, tagged by `kind`. */
export type PlanStep = { [K in StepKind]: PlanStepOf<K> }[StepKind];

/** A build as a DAG of content-addressed steps, inputs before the steps that use them. */
export interface BuildPlan {
  /** The architectures built, one image each. */
  readonly archs: readonly string[];
  readonly steps: readonly PlanStep[];
}

export interface PlanInputs {
  readonly spec: Spec;
  /** The locked packages of each architecture to build, in the spec's order. */
  readonly archs: readonly { readonly arch: string; readonly locked: LockedArch }[];
  /** SOURCE_DATE_EPOCH: the only time in any output. */
  readonly epoch: number;
  readonly outputs: readonly SpecOutput[];
  /** What the spec's `files` put into the image, each file by its sha256 (read at the edge). */
  readonly specFiles: SpecEntries;
  /** `mcc-<version>`, named in the SBOM (so a new mcc writes a new SBOM). */
  readonly tool: string;
}

/** The format version of the plan; bumped when a step's meaning changes, so old results are not reused (11: the tree step also says which kept scripts cannot run, and by which rule, which interpreters cannot start, and which imports of the spec's Python programs the image lacks; 12: the initramfs step's init supervises the program, loads kernel modules and sets up the network; 13: it mounts a volume's disk by label; 14: it waits for the network card's carrier before the DHCP client; 15: it mounts the debugging toolkit's disk when one is attached; 16: kernel modules bring their soft dependencies, such as ext4's crc32c; 17: layers and initramfs images are gzipped in independent 1 MiB blocks, compressed on every core, so their bytes change once; 18: with a smaller deflate hash table, 512 KiB instead of 2 MiB per block, so they change again). */
export const PLAN_VERSION = 18;

/** Formats that hold one image of one platform; with several architectures, one is written per architecture. */
export const SINGLE_PLATFORM_FORMATS: ReadonlySet<string> = new Set(["docker-archive", "rootfs", "kernel+initrd"]);

/** Formats that boot: they need the kernel and bootloaders, and an initramfs. */
export const BOOT_FORMATS: ReadonlySet<string> = new Set(["iso", "kernel+initrd", "raw", "qcow2"]);
/** Formats written from the bootable disk image. */
const DISK_FORMATS: ReadonlySet<string> = new Set(["raw", "qcow2"]);

/** The kernel command line: the console, no reboot loop on a panic, quiet, then the spec's own. */
export function kernelCmdline(spec: Spec, arch: string): string {
  const console = spec.boot?.console ?? DEFAULT_CONSOLE[arch] ?? "ttyS0";
  const extra = spec.boot?.cmdline.trim() ?? "";
  return `console=${console} panic=-1 quiet${extra === "" ? "" : ` ${extra}`}`;
}

/**
 * Where a single-platform output of one architecture goes when several are built:
 * `out/x.docker.tar` -> `out/x.arm64.docker.tar`, `out/x.rootfs` -> `out/x.arm64.rootfs`.
 */
export function perArchPath(path: string, arch: string): string {
  const slash = path.lastIndexOf("/");
  const dot = path.indexOf(".", slash + 2);
  return dot < 0 ? `${path}.${arch}` : `${path.slice(0, dot)}.${arch}${path.slice(dot)}`;
}

/** Everything of the spec that decides which files the image holds, and how they are laid out. */
export function treeParamsOf(spec: Spec, arch: string, entries: SpecEntries): TreeParams {
  return {
    arch,
    release: spec.from.release,
    executable: spec.executable,
    include: spec.include,
    exclude: spec.exclude,
    env: spec.env,
    user: spec.user,
    workdir: spec.workdir,
    mounts: spec.mounts,
    dpkgStatus: spec.metadata.dpkgStatus,
    files: entries.files,
    ...(entries.links.length === 0 ? {} : { links: entries.links }),
    ...(entries.dirs.length === 0 ? {} : { dirs: entries.dirs }),
  };
}

/** Everything of the spec that the image config says: changing it reuses the layer. */
export function configParamsOf(spec: Spec, arch: string, epoch: number): ConfigParams {
  return {
    arch,
    epoch,
    name: spec.name,
    executable: spec.executable,
    args: spec.args,
    env: spec.env,
    user: spec.user,
    workdir: spec.workdir,
    mounts: spec.mounts,
    ports: spec.ports,
    labels: spec.labels,
  };
}

/** An output's step: one architecture's for single-platform formats, the kernel command line for kernel+initrd. */
export function emitParamsOf(format: OutputFormat, path: string, spec: Spec, epoch: number, arch?: string, cmdline?: string): EmitParams {
  return { format, path, ...(arch === undefined ? {} : { arch }), tag: spec.tag, name: spec.name, epoch, ...(cmdline === undefined ? {} : { cmdline }) };
}

/** Collects a plan's steps, each under its content address; the same kind, parameters and inputs are one step. */
export function stepCollector(): { readonly steps: PlanStep[]; add<K extends StepKind>(kind: K, label: string, params: StepParams[K], inputs: readonly string[]): string } {
  const steps: PlanStep[] = [];
  const known = new Set<string>();
  return {
    steps,
    add(kind, label, params, stepInputs) {
      const id = createHash("sha256").update(JSON.stringify({ v: PLAN_VERSION, kind, params, inputs: stepInputs })).digest("hex");
      // An `all` package locked for two architectures is one fetch and one unpack.
      if (!known.has(id)) steps.push({ id, kind, label, params, inputs: stepInputs } as PlanStepOf<typeof kind> as PlanStep);
      known.add(id);
      return id;
    },
  };
}

/** Spec + lock -> plan. Pure: no files, clock, environment or randomness. */
export function buildPlan(inputs: PlanInputs): BuildPlan {
  const { spec, epoch } = inputs;
  const { steps, add } = stepCollector();
  const several = inputs.archs.length > 1;
  const images: { arch: string; tree: string; config: string; layers: string[]; manifest: string; packages: LockedArch["packages"]; sbom?: string; provenance?: string; initramfs?: string; kernel?: string; bootUnpacked?: string[] }[] = [];
  const wantsBoot = inputs.outputs.some((o) => BOOT_FORMATS.has(o.format));
  const wantsIso = inputs.outputs.some((o) => o.format === "iso");
  const wantsDisk = inputs.outputs.some((o) => DISK_FORMATS.has(o.format));

  for (const { arch, locked } of inputs.archs) {
    const on = several ? ` (${arch})` : "";
    const unpacked = locked.packages.map((p) => {
      const fetch = add("fetch", `fetch ${p.name} ${p.version} ${p.arch}`, { name: p.name, version: p.version, arch: p.arch, sha256: p.sha256, size: p.size, filename: p.filename, archive: p.archive }, []);
      return add("unpack", `unpack ${p.name} ${p.arch}`, { name: p.name, sha256: p.sha256 }, [fetch]);
    });

    const tree = add("tree", `trace and lay out the image${on}`, treeParamsOf(spec, arch, inputs.specFiles), unpacked);
    // The spec's own files in a layer of their own, above the packages': a change to them
    // changes that layer alone.
    const layers =
      spec.layers === "split" && spec.files.length > 0
        ? [add("layer", `write the packages' layer (tar+gzip)${on}`, { epoch, part: "packages" }, [tree]), add("layer", `write the layer of the spec's files (tar+gzip)${on}`, { epoch, part: "spec" }, [tree])]
        : [add("layer", `write the layer (tar+gzip)${on}`, { epoch }, [tree])];
    // Everything of the spec that the image config says: changing it reuses the layers.
    const config = add("config", `write the image config${on}`, configParamsOf(spec, arch, epoch), layers);
    const manifest = add("manifest", `write the image manifest${on}`, { arch, epoch, name: spec.name }, [config, ...layers]);
    const sbom = spec.metadata.sbom
      ? add(
          "sbom",
          `write the SBOM (SPDX 2.3)${on}`,
          {
            arch,
            epoch,
            name: spec.name,
            tag: spec.tag,
            release: spec.from.release,
            tool: inputs.tool,
            packages: locked.packages.map((p) => ({ name: p.name, version: p.version, arch: p.arch, source: p.source, sha256: p.sha256, ...(p.archive === "local" ? { local: p.filename } : {}) })),
          },
          [tree, manifest, ...unpacked],
        )
      : undefined;
    const boot: { initramfs?: string; kernel?: string; bootUnpacked?: string[] } = {};
    if (wantsBoot) {
      if (locked.boot === undefined) throw new Error(`the lock has no boot packages for ${arch}`);
      const bootUnpacked = locked.boot.map((p) => {
        const fetch = add("fetch", `fetch ${p.name} ${p.version} ${p.arch}`, { name: p.name, version: p.version, arch: p.arch, sha256: p.sha256, size: p.size, filename: p.filename, archive: p.archive }, []);
        return { step: add("unpack", `unpack ${p.name} ${p.arch}`, { name: p.name, sha256: p.sha256 }, [fetch]), kernel: p.reason.startsWith("boot: kernel"), dhcp: p.reason.startsWith("boot: DHCP") };
      });
      boot.kernel = bootUnpacked.find((b) => b.kernel)?.step;
      if (boot.kernel === undefined) throw new Error(`the lock has no kernel for ${arch}`);
      // What the init does: the spec's process, its mounts, the kernel modules it loads from
      // the kernel package, and what follows the program's exit.
      boot.initramfs = add(
        "initramfs",
        `write the initramfs (newc cpio+gzip)${on}`,
        {
          arch,
          epoch,
          executable: spec.executable,
          args: spec.args,
          env: spec.env,
          user: spec.user,
          workdir: spec.workdir,
          mounts: spec.mounts,
          onExit: spec.boot?.onExit ?? "poweroff",
          modules: DEFAULT_MODULES.map((m) => m.name),
          required: spec.boot?.modules ?? [],
          name: spec.name,
          network: bootNetwork(spec),
          ports: spec.ports,
        },
        [tree, boot.kernel, ...bootUnpacked.filter((b) => b.dhcp).map((b) => b.step)],
      );
      boot.bootUnpacked = bootUnpacked.map((b) => b.step);
    }
    images.push({ arch, tree, config, layers, manifest, packages: locked.packages, ...(sbom === undefined ? {} : { sbom }), ...boot });
  }

  const needsOci = inputs.outputs.some((o) => !SINGLE_PLATFORM_FORMATS.has(o.format));
  const top = several && needsOci ? add("index", "write the image index", { archs: images.map((i) => i.arch) }, images.map((i) => i.manifest)) : undefined;
  // An OCI layout names one image by its tag: the manifest itself, or an index of the platforms;
  // the SBOMs and provenance documents refer to the images.
  const attached = (i: (typeof images)[number]) => [...(i.sbom === undefined ? [] : [i.sbom]), ...(i.provenance === undefined ? [] : [i.provenance])];
  // One ISO boots every architecture built: BIOS and UEFI on amd64, UEFI on arm64, each
  // loader choosing its own architecture's kernel.
  const iso = wantsIso
    ? add(
        "iso",
        `write the ISO 9660 image (${images.map((i) => (i.arch === "amd64" ? "amd64: BIOS and UEFI" : `${i.arch}: UEFI`)).join(", ")})`,
        { epoch, name: spec.name, images: images.map((i) => ({ arch: i.arch, cmdline: kernelCmdline(spec, i.arch), packages: (i.bootUnpacked ?? []).length })) },
        images.flatMap((i) => [i.initramfs as string, ...(i.bootUnpacked ?? [])]),
      )
    : undefined;
  // One disk boots every architecture built, under UEFI, from its EFI System Partition.
  const disk = wantsDisk
    ? add(
        "disk",
        `write the disk image (GPT, EFI System Partition: ${images.map((i) => i.arch).join(", ")})`,
        { epoch, name: spec.name, images: images.map((i) => ({ arch: i.arch, cmdline: kernelCmdline(spec, i.arch), packages: (i.bootUnpacked ?? []).length })) },
        images.flatMap((i) => [i.initramfs as string, ...(i.bootUnpacked ?? [])]),
      )
    : undefined;
  // The provenance of each image records the plan that made it: every step so far (not the
  // outputs, whose paths are the machine's, nor itself, whose id would depend on it).
  const graph = steps.map((s) => ({ id: s.id, kind: s.kind, label: s.label, inputs: s.inputs }));
  for (const image of spec.metadata.provenance ? images : []) {
    image.provenance = add(
      "provenance",
      `write the provenance (why each file)${several ? ` (${image.arch})` : ""}`,
      {
        arch: image.arch,
        epoch,
        name: spec.name,
        release: spec.from.release,
        executable: spec.executable,
        tool: inputs.tool,
        packages: image.packages.map((p) => ({ name: p.name, version: p.version, arch: p.arch, deb: p.filename, sha256: p.sha256 })),
        steps: graph,
      },
      [image.tree, image.manifest],
    );
  }
  const ociInputs = images.flatMap((i) => [i.manifest, ...attached(i)]);
  for (const output of inputs.outputs) {
    if (SINGLE_PLATFORM_FORMATS.has(output.format)) {
      for (const image of images) {
        const path = several ? perArchPath(output.path, image.arch) : output.path;
        const from = imageInputsOf(output.format, image);
        add("emit", `write ${output.format} ${path}`, emitParamsOf(output.format, path, spec, epoch, image.arch, output.format === "kernel+initrd" ? kernelCmdline(spec, image.arch) : undefined), [...from, ...attached(image)]);
      }
    } else if (DISK_FORMATS.has(output.format)) {
      add("emit", `write ${output.format} ${output.path}`, emitParamsOf(output.format, output.path, spec, epoch), [disk as string, ...images.flatMap(attached)]);
    } else if (output.format === "iso") {
      add("emit", `write iso ${output.path}`, emitParamsOf(output.format, output.path, spec, epoch), [iso as string, ...images.flatMap(attached)]);
    } else {
      add("emit", `write ${output.format} ${output.path}`, emitParamsOf(output.format, output.path, spec, epoch), top === undefined ? ociInputs : [top, ...ociInputs]);
    }
  }
  return { archs: images.map((i) => i.arch), steps };
}

/**
 * What an output of one image is written from, by its format: a directory from the tree, a
 * docker archive from the tree, its config and its layers (for their parts), kernel+initrd from the boot files, an OCI
 * layout or archive from the manifest. The step ids of one image's plan.
 */
export function imageInputsOf(format: OutputFormat, image: { tree: string; config: string; layers: readonly string[]; manifest: string; initramfs?: string; kernel?: string }): string[] {
  switch (format) {
    case "rootfs":
      return [image.tree];
    case "docker-archive":
      // The layers' results say which part of the tree each holds.
      return [image.tree, image.config, ...image.layers];
    case "kernel+initrd":
      if (image.initramfs === undefined || image.kernel === undefined) throw new Error("a kernel+initrd output needs the image's boot steps");
      return [image.initramfs, image.kernel];
    default:
      return [image.manifest];
  }
}

/** The plan as a readable tree: each output and what it is made of. */
export function renderPlanTree(plan: BuildPlan): string {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  const lines: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, depth: number) => {
    const step = byId.get(id);
    if (step === undefined) return;
    const again = seen.has(id);
    seen.add(id);
    lines.push(`${"  ".repeat(depth)}${step.label}  ${id.slice(0, 12)}${again && step.inputs.length > 0 ? " (above)" : ""}`);
    if (!again) for (const input of step.inputs) visit(input, depth + 1);
  };
  for (const step of plan.steps.filter((s) => s.kind === "emit")) visit(step.id, 0);
  return lines.join("\n");
}

/** The plan in Graphviz's dot language. */
export function renderPlanDot(plan: BuildPlan): string {
  const lines = ["digraph mcc {", "  rankdir=LR;", "  node [shape=box, fontname=monospace];"];
  for (const s of plan.steps) lines.push(`  "${s.id.slice(0, 12)}" [label=${JSON.stringify(`${s.label}\n${s.id.slice(0, 12)}`)}];`);
  for (const s of plan.steps) for (const i of s.inputs) lines.push(`  "${i.slice(0, 12)}" -> "${s.id.slice(0, 12)}";`);
  lines.push("}");
  return lines.join("\n");
}
