import { posix, resolve } from "node:path";
import { keptTree, type ImageTree } from "../assemble/image-tree.js";
import { createBlobStore, type BlobStore } from "../cache/store.js";
import { parseParagraphs } from "../debian/deb822.js";
import { parseDpkgDatabase } from "../debian/dpkg-database.js";
import { diagnosticForFile, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ExecuteEvents } from "../execute/execute.js";
import type { ConfigStart } from "../formats/oci-documents.js";
import type { Host } from "../host/host.js";
import { ImageError, readImage } from "../inspect/read-image.js";
import { imagePackages, type ImagePackages } from "../minify/image-packages.js";
import { minifySpec, releaseCodename, type GivenSpec, type MinifyFlags } from "../minify/minify-spec.js";
import { sizeReport, type SizeReport } from "../minify/size-report.js";
import { treeParamsOf } from "../plan/build-plan.js";
import type { SpecEntries } from "../plan/step-params.js";
import { buildImagePlan } from "../plan/image-plan.js";
import { explainAll } from "../provenance/explain.js";
import type { SbomStepParams } from "../sbom/image-sbom.js";
import { OutputError, stepCache } from "../steps/handlers.js";
import { storeSpecFiles, type ReadSpecFiles } from "../steps/spec-files.js";
import { traceAndLayOut } from "../steps/tree.js";
import type { TraceProblem, TraceResult } from "../trace/trace.js";
import { VirtualRoot } from "../trace/vroot.js";
import type { Arch, OutputFormat, Spec, SpecOutput } from "../types/spec.js";
import { defaultOutputPath } from "../validate/defaults.js";
import { VERSION } from "../version.js";
import type { OutputSummary } from "./compile.js";
import { outputInCache, outputPlaceProblems, type BuildFailure } from "./prepare.js";
import { runOutputs } from "./run-plan.js";

/** The output formats minify writes (the bootable ones need a kernel an image does not pin). */
export const MINIFY_FORMATS = ["oci", "oci-archive", "docker-archive", "rootfs"] as const;

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
  /** The spec file's `files`, read at the edge and put in the cache. */
  readonly files: SpecEntries;
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
  const laid = await traceAndLayOut(treeParamsOf(made.spec, arch, options.files), packages.packages, options.store);
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
  return { ...tree, entries, reasons };
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
    case "excluded-needed":
      return diagnosticForFile(image, "MCC506", { glob: problem.glob, path: problem.path, by: problem.by });
  }
}

/** `app` for `images/app.oci.tar` or `app:1.0`: the file name as an image name. */
export function defaultName(path: string): string {
  const base = posix.basename(path.replace(/\/+$/, "")).replace(/\.(tar|tgz|tar\.gz)$/, "").replace(/\.(oci|docker)$/, "");
  const name = base.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 128);
  return name === "" ? "minified" : name;
}

/** What `mcc minify` is asked, from its command line (a registry image is pulled to a layout first). */
export interface MinifyRequest {
  readonly source: MinifySource;
  readonly cacheRoot: string;
  readonly arch?: string;
  readonly flags: MinifyFlags;
  /** `--spec FILE`: the spec it names, as given, and its files' bytes (read at the edge). */
  readonly given?: GivenSpec;
  /** The spec file's `files`, read at the edge (none without a spec). */
  readonly files?: ReadSpecFiles;
  /** `-o` and `--format`: one output instead of the spec's (or the default OCI layout). */
  readonly output?: string;
  readonly format?: string;
  readonly epoch: number;
  readonly chown: boolean;
  /** `--explain FILE`: where to write why each file is in the image. */
  readonly explain?: string;
  /** The `--spec` file, if any: its directory is kept like the current directory. */
  readonly specPath?: string;
  readonly cwd: string;
  readonly force?: boolean;
}

/** What minify did: the image it read and traced, the plan that wrote it, and the outputs. */
export interface MinifyResult {
  readonly kind: "minified";
  readonly minified: Minified;
  readonly outputs: readonly OutputSummary[];
}

/**
 * `mcc minify`, as the stages in order: read the image and trace its program (minifyImage),
 * keep the traced tree in the cache, then plan and run the same layer, config, manifest, SBOM
 * and output steps a compiled image has, with the same handlers (buildImagePlan).
 */
export async function minify(host: Host, request: MinifyRequest, events: ExecuteEvents = {}): Promise<MinifyResult | BuildFailure> {
  const store = createBlobStore(host, request.cacheRoot);
  await store.sweepTemporaries(host.now());
  if (request.files !== undefined) await storeSpecFiles(host, store, request.files);
  const { minified, diagnostics } = await minifyImage(request.source, {
    store,
    flags: request.flags,
    files: request.files?.entries ?? { files: [], links: [], dirs: [] },
    ...(request.arch === undefined ? {} : { arch: request.arch }),
    ...(request.given === undefined ? {} : { given: request.given }),
  });
  if (minified === undefined) return { kind: "diagnostics", loaded: { diagnostics }, diagnostics };
  const outputs = minifyOutputs(minified.spec, request);
  const inCache = outputInCache(outputs, request.cacheRoot, request.cwd);
  if (inCache !== undefined) return inCache;
  const places = await outputPlaceProblems(host, outputs, [minified.arch], {}, request, request.specPath ?? request.source.label);
  if (places.length > 0) return { kind: "diagnostics", loaded: { diagnostics: places }, diagnostics: places };

  const plan = buildImagePlan({
    spec: minified.spec,
    arch: minified.arch,
    tree: (await store.putBytes(new TextEncoder().encode(JSON.stringify(await keptTree(minified.tree, minified.report.before.bytes, store))))).sha256,
    start: minified.start,
    epoch: request.epoch,
    outputs,
    packages: sbomPackages(minified.packages),
    manifests: (await store.putBytes(new TextEncoder().encode(JSON.stringify(minified.packages.packages)))).sha256,
    tool: `mcc-${VERSION}`,
  });
  const env = { host, store, bases: { mirror: "", security: "" }, offline: true, chown: request.chown, cwd: request.cwd };
  try {
    const { written } = await runOutputs(plan, env, stepCache(store), [], events);
    if (request.explain !== undefined) await host.writeFileAtomic(resolve(request.cwd, request.explain), JSON.stringify(explainAll(minified.tree), null, 2) + "\n");
    return { kind: "minified", minified, outputs: written.map(({ step, ...w }) => ({ format: step.params.format, ...w, images: [] })) };
  } catch (error) {
    if (error instanceof OutputError) return { kind: "output", message: error.message };
    throw error;
  }
}

/** `-o`/`--format`, else the spec's `output` (paths it leaves out under the output's name), else `out/<name>` as an OCI layout. */
function minifyOutputs(spec: Spec, request: { output?: string; format?: string; given?: GivenSpec }): SpecOutput[] {
  const given = request.given;
  if (request.output === undefined && request.format === undefined) {
    if (given?.keys.has("output") === true) return spec.outputs.map((o, i) => (given.outputPaths[i] === true ? o : { ...o, path: defaultOutputPath(spec.name, o.format) }));
    return [{ format: "oci", path: defaultOutputPath(spec.name, "oci") }];
  }
  const format = (request.format ?? "oci") as OutputFormat;
  return [{ format, path: request.output ?? defaultOutputPath(spec.name, format) }];
}

/** The image's installed packages as the SBOM lists them: the source package from the dpkg records; no .deb digest, since there was no .deb. */
function sbomPackages(packages: ImagePackages): SbomStepParams["packages"] {
  return packages.database.packages.map((p) => {
    const source = parseParagraphs(p.control)[0]?.get("source")?.split(/\s+/)[0] ?? p.name;
    return { name: p.name, version: p.version, arch: p.arch, source, sha256: "" };
  });
}
