import { posix } from "node:path";
import type { ConfigStart } from "../formats/oci-documents.js";
import type { ImageTree } from "../assemble/image-tree.js";
import { traceAndLayOut } from "../steps/tree.js";
import type { BlobStore } from "../cache/store.js";
import { diagnosticForFile, type Diagnostic } from "../diagnostics/diagnostic.js";
import { parseDpkgDatabase } from "../debian/dpkg-database.js";
import { ImageError, readImage } from "../inspect/read-image.js";
import type { TraceProblem, TraceResult } from "../trace/trace.js";
import { VirtualRoot } from "../trace/vroot.js";
import type { Arch, Spec } from "../types/spec.js";
import { imagePackages, type ImagePackages } from "../minify/image-packages.js";
import { minifySpec, releaseCodename, type GivenSpec, type MinifyFlags } from "../minify/minify-spec.js";
import { sizeReport, type SizeReport } from "../minify/size-report.js";

/** The architectures the tracer knows (trace.ts's ELF targets). */
export const TRACED_ARCHS: readonly Arch[] = ["amd64", "arm64"];

/** What to minify: a local image (a registry reference is pulled into a layout first). */
export interface MinifySource {
  /** An OCI layout directory, an oci-archive or docker-archive tar, or a rootfs directory. */
  readonly path: string;
  /** The image of a layout (its ref name) or a docker-archive (its `name:tag`). */
  readonly tag?: string;
  /** What to call the image in messages (the argument as given). */
  readonly label: string;
}

export interface MinifyOptions {
  readonly store: BlobStore;
  readonly arch?: string;
  readonly flags: MinifyFlags;
  readonly given?: GivenSpec;
  /** The bytes of the spec file's `files`, read at the edge. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** A minified image, ready for the backends, and what it kept. */
export interface Minified {
  readonly arch: Arch;
  readonly spec: Spec;
  readonly start: ConfigStart;
  readonly tree: ImageTree;
  readonly trace: TraceResult;
  readonly root: VirtualRoot;
  readonly packages: ImagePackages;
  readonly format: string;
  readonly report: SizeReport;
}

/**
 * Image in, microcontainer tree out: read the image (every file's bytes into the store),
 * group its files by the packages its dpkg database names, take the program from its config
 * (or the flags and spec), and trace it with the same tracer and rules as `mcc compile`,
 * over a virtual root made of the image's files. The image's own os-release and
 * debian_version replace mcc's guesses. Problems are diagnostics against the image.
 */
export async function minifyImage(source: MinifySource, options: MinifyOptions): Promise<{ minified?: Minified; diagnostics: Diagnostic[] }> {
  const fail = (code: Parameters<typeof diagnosticForFile>[1], args: Record<string, string>, hint?: string) => ({
    diagnostics: [{ ...diagnosticForFile(source.label, code, args), ...(hint === undefined ? {} : { hint }) }],
  });
  let image: Awaited<ReturnType<typeof readImage>>;
  try {
    image = await readImage(source.path, { store: options.store, ...(source.tag === undefined ? {} : { tag: source.tag }), ...(options.arch === undefined ? {} : { arch: options.arch }) });
  } catch (error) {
    if (error instanceof ImageError) return fail("MCC600", { reason: error.message.replace(`${source.path}: `, "") });
    throw error;
  }
  const arch = image.arch ?? options.arch;
  if (arch === undefined || !TRACED_ARCHS.includes(arch as Arch)) {
    return fail("MCC603", { arch: arch ?? "an unknown architecture", supported: TRACED_ARCHS.join(" and ") }, image.format === "rootfs" ? "a rootfs directory says no architecture: give it with --arch" : undefined);
  }
  // read-image kept the dpkg records' text, as it does for inspect: one reader for both.
  const database = parseDpkgDatabase(image.texts);
  const packages = await imagePackages(image.files, database, options.store);
  const root = new VirtualRoot(packages.packages);
  const text = async (path: string) => {
    const found = root.lookup(path);
    return found?.node.kind === "file" ? new TextDecoder().decode(await options.store.read(found.node.sha256)) : undefined;
  };
  const osRelease = (await text("/etc/os-release")) ?? (await text("/usr/lib/os-release"));
  const made = minifySpec({
    defaultName: defaultName(source.path),
    arch: arch as Arch,
    config: image.config?.config,
    root,
    release: releaseCodename(osRelease) ?? "unknown",
    passwd: (await text("/etc/passwd")) ?? "",
    group: (await text("/etc/group")) ?? "",
    ...(options.given === undefined ? {} : { given: options.given }),
    flags: options.flags,
  });
  if ("problem" in made) {
    const p = made.problem;
    switch (p.kind) {
      case "no-command":
        return fail("MCC601", {});
      case "not-on-path":
        return fail("MCC602", { name: p.name, path: p.path }, p.suggestion === undefined ? undefined : `did you mean ${p.suggestion}?`);
      case "unknown-user":
        return fail("MCC605", { user: p.user });
    }
  }
  const laid = await traceAndLayOut(made.spec, arch, packages.packages, options.store, options.files);
  if ("problems" in laid) return { diagnostics: laid.problems.map((p) => traceDiagnostic(p, source.label)) };
  const tree = withImageIdentity(laid.tree, root);
  return {
    minified: { arch: arch as Arch, spec: made.spec, start: made.start, tree, trace: laid.trace, root, packages, format: image.format, report: sizeReport(image.files, packages, tree) },
    diagnostics: [],
  };
}

/** Files mcc's rules write that an installed image already has: the image's own are kept. */
const IDENTITY = ["/usr/lib/os-release", "/etc/debian_version", "/etc/ssl/certs/ca-certificates.crt"];

/**
 * The rules write what a package's maintainer scripts would have made; an installed image has
 * the real thing: its own os-release (another point release, a derivative) and the CA bundle
 * update-ca-certificates built, with any local CA it added. Those replace the generated files.
 */
function withImageIdentity(tree: ImageTree, root: VirtualRoot): ImageTree {
  const reasons = new Map(tree.reasons);
  const entries = tree.entries.map((e) => {
    if (e.kind !== "file" || !IDENTITY.includes(e.path)) return e;
    const own = root.lookup(e.path === "/usr/lib/os-release" ? "/etc/os-release" : e.path) ?? root.lookup(e.path);
    if (own === undefined || own.node.kind !== "file") return e;
    reasons.set(e.path, [{ kind: "rule", rule: "image-files", why: "the image's own copy of a file mcc would otherwise generate, kept as it was" }]);
    return { ...e, size: own.node.size, source: { blob: own.node.sha256 }, pkg: own.node.pkg };
  });
  return { entries, reasons };
}

function traceDiagnostic(problem: TraceProblem, image: string): Diagnostic {
  switch (problem.kind) {
    case "executable-missing":
      return { ...diagnosticForFile(image, "MCC610", { path: problem.path }), ...(problem.suggestions.length > 0 ? { hint: `the image has: ${problem.suggestions.join(", ")}` } : {}) };
    case "library-missing":
      return { ...diagnosticForFile(image, "MCC611", { name: problem.name, by: problem.by }), hint: `searched ${problem.searched.join(":")}` };
    case "interpreter-missing":
      return diagnosticForFile(image, "MCC612", { path: problem.path, by: problem.by });
    case "bad-elf":
      return diagnosticForFile(image, "MCC503", { path: problem.path, message: problem.message });
  }
}

/** `app` for `images/app.oci.tar` or `app:1.0`: the file name as an image name. */
export function defaultName(path: string): string {
  const base = posix.basename(path.replace(/\/+$/, "")).replace(/\.(tar|tgz|tar\.gz)$/, "").replace(/\.(oci|docker)$/, "");
  const name = base.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 128);
  return name === "" ? "minified" : name;
}
