import { posix } from "node:path";
import { parseGlob } from "../paths/glob.js";
import { didYouMean } from "../diagnostics/did-you-mean.js";
import { isElf, readElfFrom, type ElfInfo } from "./elf.js";
import type { RandomFile } from "../host/host.js";
import { TRACE_RULES, type RuleContext } from "./rules.js";
import { keptInterpreters } from "./interpreters.js";
import { pythonImports } from "./python-imports.js";
import { mergedUsrPath } from "../debian/merged-usr.js";
import { MCC_PACKAGE, SPEC_PACKAGE, type VirtualRoot, type VNode } from "./vroot.js";
import type { TraceSpec } from "./trace-spec.js";
import { DEFAULT_PATH } from "../formats/oci-documents.js";

/** Why a file is in the image. `mcc why` follows `by` back to the executable. */
export type Reason =
  | { readonly kind: "executable" }
  | { readonly kind: "interpreter"; readonly by: string }
  | { readonly kind: "needed"; readonly by: string; readonly name: string }
  | { readonly kind: "shebang"; readonly by: string }
  | { readonly kind: "symlink"; readonly to: string }
  | { readonly kind: "alternative"; readonly name: string; readonly by: string }
  | { readonly kind: "rule"; readonly rule: string; readonly why: string }
  | { readonly kind: "include"; readonly glob: string }
  | { readonly kind: "file"; readonly source: string };

export interface KeptFile {
  readonly node: VNode;
  readonly reasons: readonly Reason[];
}

/** A file or link no package ships: written by a rule, or an alternative's link. */
export type GeneratedEntry =
  | { readonly kind: "file"; readonly path: string; readonly content: Uint8Array; readonly mode: number; readonly reason: Reason }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string; readonly reason: Reason };

/**
 * What of the spec brought a file into the image, when not the executable: an `include` glob,
 * or one of the spec's own `files` (by its image path). A problem is reported there.
 */
export type ProblemOrigin = { readonly kind: "include"; readonly glob: string } | { readonly kind: "file"; readonly path: string };

export type TraceProblem =
  | { readonly kind: "executable-missing"; readonly path: string; readonly suggestions: readonly string[] }
  | { readonly kind: "library-missing"; readonly name: string; readonly by: string; readonly searched: readonly string[]; readonly origin?: ProblemOrigin }
  | { readonly kind: "bad-elf"; readonly path: string; readonly message: string; readonly origin?: ProblemOrigin }
  | { readonly kind: "interpreter-missing"; readonly path: string; readonly by: string; readonly origin?: ProblemOrigin }
  /** An `exclude` glob took out a file something in the image needs to run. */
  | { readonly kind: "excluded-needed"; readonly path: string; readonly by: string; readonly glob: string };

/**
 * An `include` or `exclude` glob that matched nothing in the packages and the spec's files:
 * almost always a typo or another release's path. `suggestion` is the glob with its first
 * missing directory or name replaced by the closest one there is; `directory` says the glob
 * named a directory (include keeps files: add `/**`).
 */
export interface UnmatchedGlob {
  readonly kind: "include" | "exclude";
  readonly glob: string;
  readonly suggestion?: string;
  readonly directory?: boolean;
}

/**
 * A kept file that nothing runs (a script in a module tree an include keeps) whose `#!` names
 * a program the image does not have: kept as data, it cannot be run as a program. A warning,
 * not an error: the program may only read it.
 */
export interface InertScript {
  readonly path: string;
  /** The program the `#!` line names and the image lacks (`/usr/bin/env`, or `python3` for env). */
  readonly interpreter: string;
  readonly origin?: ProblemOrigin;
  /** The rule that kept it, when a rule did (an interpreter's module tree). */
  readonly rule?: string;
}

/**
 * An interpreter kept without the file it loads when it starts (Python's `encodings`): the
 * image builds, and the program cannot start. `excludedBy`: the spec's glob that took it out;
 * without one, no package of the set ships it.
 */
export interface StartupMissing {
  readonly interpreter: string;
  readonly needs: string;
  readonly excludedBy?: string;
  /** The module trees mcc keeps for this interpreter, as globs: what the needed file is part of. */
  readonly trees: readonly string[];
}

/**
 * A module a Python program of the spec imports (outside `try:`) that the image does not hold:
 * not beside the program, not in the interpreter's library or the packages' modules, not built
 * into the interpreter. The program stops there with ModuleNotFoundError.
 */
export interface MissingImport {
  readonly script: string;
  readonly module: string;
  readonly line: number;
  /** Where a Debian package would put it, for the Contents index: `/usr/lib/python3/dist-packages/yaml/__init__.py`, `.../yaml.py`. */
  readonly candidates: readonly string[];
}

export interface TraceResult {
  /** Files and symlinks kept, by path, in the order they were found. */
  readonly kept: ReadonlyMap<string, KeptFile>;
  readonly generated: ReadonlyMap<string, GeneratedEntry>;
  readonly problems: readonly TraceProblem[];
  /** The spec's globs that matched nothing. */
  readonly unmatched: readonly UnmatchedGlob[];
  /** Kept scripts that cannot run: their `#!` names a program the image lacks, and nothing runs them. */
  readonly inert: readonly InertScript[];
  /** Kept interpreters that cannot start: a file they load first is not in the image. */
  readonly startup: readonly StartupMissing[];
  /** Modules the spec's Python programs import that the image does not hold. */
  readonly missingImports: readonly MissingImport[];
}

export interface TraceInput {
  readonly spec: TraceSpec;
  readonly arch: string;
  readonly root: VirtualRoot;
  readonly packages: ReadonlySet<string>;
  /** `update-alternatives` links the packages' maintainer scripts would make: link -> target. */
  readonly alternatives: ReadonlyMap<string, string>;
  readonly readBlob: (sha256: string) => Promise<Uint8Array>;
  /**
   * A file open for reads by position: the files traced are read only where their `#!` line
   * or ELF headers and dynamic tables are (elf.ts, readElfFrom).
   */
  readonly openBlob: (sha256: string) => Promise<RandomFile>;
}

export const TRIPLETS: Record<string, { triplet: string; machine: string; platform: string }> = {
  amd64: { triplet: "x86_64-linux-gnu", machine: "amd64", platform: "x86_64" },
  arm64: { triplet: "aarch64-linux-gnu", machine: "AArch64", platform: "aarch64" },
};

/** Where ld.so looks last, after RPATH, LD_LIBRARY_PATH, RUNPATH and ld.so.conf. */
export function defaultLibraryDirs(triplet: string): string[] {
  return [`/lib/${triplet}`, `/usr/lib/${triplet}`, "/lib", "/usr/lib", "/lib64", "/usr/lib64"];
}

/** The libraries of glibc itself, whose own imports say nothing about the program. */
const GLIBC_SONAMES = new Set(["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2", "libnss_files.so.2", "libnss_dns.so.2"]);

/**
 * Keeps exactly what the executable needs from the virtual root, as the kernel and ld.so
 * would load it: the `#!` interpreter of a script, PT_INTERP, DT_NEEDED searched in ld.so's
 * order (RPATH of the loading chain unless RUNPATH, LD_LIBRARY_PATH from the spec, RUNPATH,
 * ld.so.conf, the multiarch and default directories), every symlink on the way; then what the
 * spec's `include` names and what the rules add, each ELF among them traced in turn, until
 * nothing new comes. `exclude` wins over everything.
 */
export async function traceExecutable(input: TraceInput): Promise<TraceResult> {
  const { spec, root } = input;
  const target = TRIPLETS[input.arch];
  if (target === undefined) throw new Error(`no ELF target known for architecture ${input.arch}`);
  const kept = new Map<string, KeptFile>();
  const generated = new Map<string, GeneratedEntry>();
  const problems: TraceProblem[] = [];
  const elfs = new Map<string, ElfInfo>();
  const libraries = new Set<string>();
  const imports = new Set<string>();
  const excludes = spec.exclude.flatMap((glob) => {
    const p = parseGlob(glob);
    return p.ok ? [{ glob, regex: p.regex }] : [];
  });
  const excludedBy = (path: string) => excludes.find((e) => e.regex.test(path))?.glob;
  const excluded = (path: string) => excludedBy(path) !== undefined;
  const env = new Map(Object.entries(spec.env));
  const unmatched: UnmatchedGlob[] = [];
  const inert: InertScript[] = [];
  // What will be run (the executable and the spec's own files), filled in below.
  const runs = new Set<string>();

  const keep = (node: VNode, reason: Reason): boolean => {
    const glob = excludedBy(node.path);
    if (glob !== undefined) {
      // Taken out by the spec: an error when something that runs needs it, said once per path.
      const by = reason.kind === "needed" || reason.kind === "interpreter" ? reason.by : reason.kind === "shebang" && runs.has(reason.by) ? reason.by : undefined;
      if (by !== undefined && !problems.some((p) => p.kind === "excluded-needed" && p.path === node.path)) problems.push({ kind: "excluded-needed", path: node.path, by, glob });
      return false;
    }
    const existing = kept.get(node.path);
    if (existing !== undefined) {
      if (!existing.reasons.some((r) => JSON.stringify(r) === JSON.stringify(reason))) {
        kept.set(node.path, { node, reasons: [...existing.reasons, reason] });
      }
      return false;
    }
    kept.set(node.path, { node, reasons: [reason] });
    return true;
  };

  /** Keeps a looked-up path: the symlinks on the way, then the node. True when the node is new. */
  const keepLookup = (found: { path: string; node: VNode; links: readonly string[] }, reason: Reason): boolean => {
    for (const link of found.links) {
      const node = root.nodes.get(link);
      if (node !== undefined && node.pkg !== MCC_PACKAGE) keep(node, { kind: "symlink", to: found.path });
    }
    return keep(found.node, reason);
  };

  const queue: string[] = [];
  // Alternatives by their link's merged-/usr path: a library searched in /lib/<triplet> finds
  // a link postinst would make in /usr/lib/<triplet>.
  const alternatives = new Map([...input.alternatives].map(([link, to]) => [mergedUsrPath(link), to]));
  const lookupWithAlternatives = (path: string, by: string) => {
    const found = root.lookup(path);
    if (found !== undefined) return { found, alternative: undefined };
    const alt = alternatives.get(mergedUsrPath(path));
    if (alt === undefined) return { found: undefined, alternative: undefined };
    const viaAlt = root.lookup(alt);
    return { found: viaAlt, alternative: viaAlt === undefined ? undefined : { name: mergedUsrPath(path), by } };
  };

  // The executable itself.
  const start = lookupWithAlternatives(spec.executable, spec.executable);
  if (start.found === undefined || start.found.node.kind !== "file") {
    problems.push({ kind: "executable-missing", path: spec.executable, suggestions: suggestExecutables(root, spec.executable) });
    return { kept, generated, problems, unmatched, inert, startup: [], missingImports: [] };
  }
  keepLookup(start.found, { kind: "executable" });
  if (start.alternative !== undefined) recordAlternative(start.alternative.name, start.found.path, spec.executable);
  queue.push(start.found.path);
  // The spec's own files are in the image whatever the executable runs: each program, library
  // and script among them is traced like the executable (a helper it execs, a plugin it loads).
  for (const node of root.nodes.values()) if (node.pkg === SPEC_PACKAGE && node.kind === "file") queue.push(node.path);
  // What will be run: the executable and the spec's own files. A script kept as data (a
  // module of an interpreter's library, whose `#!` names some other machine's interpreter)
  // has its interpreter kept when it is there, and no problem when it is not.
  for (const path of [start.found.path, ...queue]) runs.add(path);

  function recordAlternative(link: string, to: string, by: string) {
    generated.set(link, { kind: "symlink", path: link, target: to, reason: { kind: "alternative", name: link, by } });
  }

  const ldConfDirs = await readLdSoConf(root, input.readBlob);
  const defaultDirs = defaultLibraryDirs(target.triplet);
  const loaders = new Map<string, string>(); // object -> the object that loaded it
  // ld.so does not search for a name it has already loaded: the first object found for a
  // soname satisfies every later DT_NEEDED of it, wherever that object's search would look.
  const loaded = new Map<string, { path: string; node: VNode; links: readonly string[] }>();

  const expand = (dir: string, origin: string) =>
    dir.replace(/\$(ORIGIN|\{ORIGIN\})/g, origin).replace(/\$(LIB|\{LIB\})/g, `lib/${target.triplet}`).replace(/\$(PLATFORM|\{PLATFORM\})/g, target.platform);

  const searchDirs = (path: string, elf: ElfInfo): string[] => {
    const dirs: string[] = [];
    if (elf.runpath.length === 0) {
      // DT_RPATH of this object, then of each object that loaded it, up to the executable.
      for (let obj: string | undefined = path; obj !== undefined; obj = loaders.get(obj)) {
        const info = elfs.get(obj);
        if (info !== undefined && info.runpath.length === 0) dirs.push(...info.rpath.map((d) => expand(d, posix.dirname(obj as string))));
      }
    }
    dirs.push(...(env.get("LD_LIBRARY_PATH") ?? "").split(/[:;]/).filter(Boolean));
    dirs.push(...elf.runpath.map((d) => expand(d, posix.dirname(path))));
    dirs.push(...ldConfDirs, ...defaultDirs);
    return [...new Set(dirs)];
  };

  /** A program name as `env` finds it: the first file of that name in the spec's PATH, or the default one. */
  const findOnPath = (name: string) => {
    if (name.includes("/")) return root.lookup(name);
    for (const dir of (env.get("PATH") ?? DEFAULT_PATH).split(":").filter((d) => d.startsWith("/"))) {
      const found = root.lookup(`${dir}/${name}`);
      if (found?.node.kind === "file") return found;
    }
    return undefined;
  };

  const traceOne = async (path: string): Promise<void> => {
    const found = root.lookup(path);
    if (found === undefined || found.node.kind !== "file") return;
    // Read where the `#!` line or the ELF headers and dynamic tables are, not whole.
    const file = await input.openBlob(found.node.sha256);
    let head: Uint8Array;
    let parsed: { elf: ElfInfo } | { error: string } | undefined;
    try {
      head = file.read(0, 256);
      if (isElf(head)) {
        try {
          parsed = { elf: readElfFrom(file) };
        } catch (error) {
          parsed = { error: (error as Error).message };
        }
      }
    } finally {
      file.close();
    }
    if (head.length > 2 && head[0] === 0x23 && head[1] === 0x21) {
      const line = new TextDecoder().decode(head).split("\n")[0] ?? "";
      const [interp, ...args] = line.slice(2).trim().split(/\s+/);
      if (interp !== undefined && interp !== "") {
        const r = lookupWithAlternatives(interp, path);
        if (r.found === undefined) {
          if (runs.has(path)) problems.push({ kind: "interpreter-missing", path: interp, by: path });
          else inert.push({ path, interpreter: interp });
        } else {
          if (r.alternative !== undefined) recordAlternative(interp, r.found.path, path);
          if (keepLookup(r.found, { kind: "shebang", by: path })) queue.push(r.found.path);
          // `#!/usr/bin/env python3`: env runs the program it names, found on the PATH.
          const program = posix.basename(interp) === "env" ? args.find((a) => !a.startsWith("-")) : undefined;
          if (program !== undefined) {
            const onPath = findOnPath(program);
            if (onPath === undefined) {
              if (runs.has(path)) problems.push({ kind: "interpreter-missing", path: program, by: path });
              else inert.push({ path, interpreter: program });
            } else if (keepLookup(onPath, { kind: "shebang", by: path })) queue.push(onPath.path);
          }
        }
      }
      return;
    }
    if (parsed === undefined) return;
    if ("error" in parsed) {
      problems.push({ kind: "bad-elf", path, message: parsed.error });
      return;
    }
    const { elf } = parsed;
    elfs.set(path, elf);
    const name = elf.soname ?? posix.basename(path);
    libraries.add(name);
    libraries.add(posix.basename(path));
    if (!GLIBC_SONAMES.has(name)) for (const s of elf.imports) imports.add(s);
    if (elf.interpreter !== undefined) {
      const r = root.lookup(elf.interpreter);
      if (r === undefined) problems.push({ kind: "interpreter-missing", path: elf.interpreter, by: path });
      else if (keepLookup(r, { kind: "interpreter", by: path })) queue.push(r.path);
    }
    for (const needed of elf.needed) {
      if (needed.includes("/")) {
        const r = root.lookup(needed);
        if (r !== undefined && keepLookup(r, { kind: "needed", by: path, name: needed })) queue.push(r.path);
        continue;
      }
      let hit: ReturnType<VirtualRoot["lookup"]> = loaded.get(needed);
      const dirs = hit === undefined ? searchDirs(path, elf) : [];
      for (const dir of dirs) {
        // A library may exist only as the link update-alternatives makes (libblas.so.3).
        const { found: r, alternative } = lookupWithAlternatives(`${dir}/${needed}`, path);
        if (r === undefined || r.node.kind !== "file") continue;
        if (!(await compatible(r.node.sha256, elf))) continue;
        hit = r;
        if (alternative !== undefined) recordAlternative(alternative.name, r.path, path);
        break;
      }
      if (hit === undefined) {
        problems.push({ kind: "library-missing", name: needed, by: path, searched: dirs });
        continue;
      }
      if (!loaded.has(needed)) loaded.set(needed, hit);
      if (!loaders.has(hit.path)) loaders.set(hit.path, path);
      if (keepLookup(hit, { kind: "needed", by: path, name: needed })) queue.push(hit.path);
      else if (!elfs.has(hit.path)) queue.push(hit.path);
    }
  };

  const compatibility = new Map<string, boolean>();
  const compatible = async (sha256: string, elf: ElfInfo): Promise<boolean> => {
    let ok = compatibility.get(sha256);
    if (ok === undefined) {
      const file = await input.openBlob(sha256);
      try {
        const other = isElf(file.read(0, 16)) ? readElfFrom(file) : undefined;
        ok = other !== undefined && other.class === elf.class && other.machine === elf.machine;
      } catch {
        ok = false;
      } finally {
        file.close();
      }
      compatibility.set(sha256, ok);
    }
    return ok;
  };

  const drain = async () => {
    while (queue.length > 0) {
      const next = queue.shift() as string;
      if (elfs.has(next)) continue;
      await traceOne(next);
    }
  };
  await drain();

  // The spec's includes: kept as they are, each ELF among them traced too (extension modules).
  for (const glob of spec.include) {
    const parsed = parseGlob(glob);
    if (!parsed.ok) continue;
    let matched = false;
    let directory = false;
    for (const node of root.nodes.values()) {
      if (!parsed.regex.test(node.path)) continue;
      if (node.kind === "directory") {
        directory = true;
        continue;
      }
      matched = true;
      if (keep(node, { kind: "include", glob }) && node.kind === "file") queue.push(node.path);
    }
    if (!matched) unmatched.push(directory ? { kind: "include", glob, directory } : { kind: "include", glob, ...suggestGlob(root, glob) });
  }
  await drain();

  // The rules, until none adds anything.
  const readText = async (path: string) => {
    const r = root.lookup(path);
    return r?.node.kind === "file" ? new TextDecoder().decode(await input.readBlob(r.node.sha256)) : undefined;
  };
  for (let round = 0; round < 8; round++) {
    let added = false;
    const ctx: RuleContext = {
      spec,
      root,
      triplet: target.triplet,
      kept: new Set(kept.keys()),
      libraries,
      imports,
      packages: input.packages,
      readText,
    };
    for (const rule of TRACE_RULES) {
      if (!rule.applies(ctx)) continue;
      const reason: Reason = { kind: "rule", rule: rule.id, why: rule.why };
      for (const pattern of rule.keep?.(ctx) ?? []) {
        const matches = /[*?[]/.test(pattern) ? matchAll(root, pattern) : [pattern];
        for (const path of matches) {
          const r = root.lookup(path);
          if (r === undefined || r.node.kind === "directory") continue;
          if (keepLookup(r, reason)) {
            added = true;
            if (r.node.kind === "file") queue.push(r.path);
          }
        }
      }
      for (const file of (await rule.generate?.(ctx)) ?? []) {
        if (generated.has(file.path) || excluded(file.path)) continue;
        generated.set(file.path, { kind: "file", path: file.path, content: new TextEncoder().encode(file.content), mode: file.mode, reason });
        added = true;
      }
    }
    await drain();
    if (!added) break;
  }
  const matchesAny = (regex: RegExp, paths: Iterable<string>) => {
    for (const p of paths) if (regex.test(p)) return true;
    return false;
  };
  for (const { glob, regex } of excludes) {
    if (!matchesAny(regex, root.nodes.keys()) && !matchesAny(regex, generated.keys())) unmatched.push({ kind: "exclude", glob, ...suggestGlob(root, glob) });
  }
  // Each problem at what of the spec brought its file in: the chain of reasons followed back
  // to an include or one of the spec's files (the executable's own chain has no origin).
  const originOf = (path: string): ProblemOrigin | undefined => {
    const seen = new Set<string>();
    for (let p: string | undefined = path; p !== undefined && !seen.has(p); ) {
      seen.add(p);
      if (root.nodes.get(p)?.pkg === SPEC_PACKAGE) return { kind: "file", path: p };
      const reasons: readonly Reason[] = kept.get(p)?.reasons ?? [];
      const include = reasons.find((r) => r.kind === "include");
      if (include?.kind === "include") return { kind: "include", glob: include.glob };
      if (reasons.some((r) => r.kind === "executable")) return undefined;
      const next: Reason | undefined = reasons.find((r) => r.kind === "needed" || r.kind === "interpreter" || r.kind === "shebang" || r.kind === "symlink");
      p = next === undefined ? undefined : next.kind === "symlink" ? next.to : "by" in next ? next.by : undefined;
    }
    return undefined;
  };
  const located = problems.map((p): TraceProblem => {
    if (p.kind !== "library-missing" && p.kind !== "interpreter-missing" && p.kind !== "bad-elf") return p;
    const origin = originOf(p.kind === "bad-elf" ? p.path : p.by);
    return origin === undefined ? p : { ...p, origin };
  });
  // A script that became inert before an exclude or another rule took it out is not in the image.
  const inertKept = inert.filter((i) => kept.has(i.path)).map((i): InertScript => {
    const origin = originOf(i.path);
    const rule = kept.get(i.path)?.reasons.find((r) => r.kind === "rule");
    return { ...i, ...(origin === undefined ? {} : { origin }), ...(rule?.kind === "rule" ? { rule: rule.rule } : {}) };
  });
  const startup: StartupMissing[] = [];
  for (const { interpreter, path, version } of keptInterpreters(kept.keys())) {
    const needs = interpreter.startup?.(version);
    if (needs === undefined || kept.has(needs) || kept.has(root.lookup(needs)?.path ?? needs)) continue;
    const glob = excludedBy(needs);
    startup.push({ interpreter: path, needs, ...(glob === undefined ? {} : { excludedBy: glob }), trees: interpreter.trees(version, target.triplet) });
  }
  const missingImports = await missingPythonImports(root, kept, env, runs, input.readBlob);
  return { kept, generated, problems: located, unmatched, inert: inertKept, startup, missingImports };
}

/**
 * For a glob that matched nothing: the same glob with its first literal segment that names
 * nothing replaced by the closest name in that directory (`/usr/lib/python3.13/**` ->
 * `/usr/lib/python3.11/**`), when one is close. Nothing when the literal part exists (the
 * wildcards are what matched nothing) or nothing is close.
 */
function suggestGlob(root: VirtualRoot, glob: string): { suggestion?: string } {
  const segments = glob.split("/");
  let dir = "";
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (/[*?[\\]/.test(segment)) return {};
    const path = `${dir}/${segment}`;
    if (!root.nodes.has(path)) {
      const parent = dir === "" ? "/" : dir;
      const names = [...root.nodes.keys()].filter((p) => p !== "/" && posix.dirname(p) === parent).map((p) => posix.basename(p));
      const close = didYouMean(segment, names);
      return close === undefined ? {} : { suggestion: [...segments.slice(0, i), close, ...segments.slice(i + 1)].join("/") };
    }
    dir = path;
  }
  return {};
}

function matchAll(root: VirtualRoot, pattern: string): string[] {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) return [];
  return [...root.nodes.keys()].filter((p) => parsed.regex.test(p)).sort();
}

/** Files in the usual program directories whose names are close to the missing executable's. */
function suggestExecutables(root: VirtualRoot, path: string): string[] {
  const base = posix.basename(path);
  const programs = [...root.nodes.values()].filter((n) => n.kind !== "directory" && /^\/usr\/(s?bin|libexec|games)\//.test(n.path));
  const exact = programs.filter((n) => posix.basename(n.path) === base).map((n) => n.path);
  if (exact.length > 0) return exact.slice(0, 5);
  const guess = didYouMean(base, programs.map((n) => posix.basename(n.path)));
  const close = guess === undefined ? [] : programs.filter((n) => posix.basename(n.path) === guess).map((n) => n.path);
  return close.length > 0 ? close : programs.map((n) => n.path).sort().slice(0, 5);
}

/** The directories /etc/ld.so.conf and its includes name, in order. */
async function readLdSoConf(root: VirtualRoot, readBlob: (sha: string) => Promise<Uint8Array>): Promise<string[]> {
  const dirs: string[] = [];
  const seen = new Set<string>();
  const readFile = async (path: string) => {
    const r = root.lookup(path);
    return r?.node.kind === "file" ? new TextDecoder().decode(await readBlob(r.node.sha256)) : undefined;
  };
  const visit = async (path: string, depth: number) => {
    if (depth > 8 || seen.has(path)) return;
    seen.add(path);
    const text = await readFile(path);
    if (text === undefined) return;
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      if (line === "") continue;
      const include = /^include\s+(.+)$/.exec(line);
      if (include !== null) {
        const pattern = (include[1] as string).trim();
        const abs = pattern.startsWith("/") ? pattern : posix.join(posix.dirname(path), pattern);
        for (const p of matchAll(root, abs)) await visit(p, depth + 1);
      } else if (line.startsWith("/")) dirs.push(line);
    }
  };
  await visit("/etc/ld.so.conf", 0);
  if (!seen.has("/etc/ld.so.conf") || dirs.length === 0) {
    for (const p of matchAll(root, "/etc/ld.so.conf.d/*.conf")) await visit(p, 1);
  }
  return dirs;
}

/**
 * The imports of the spec's Python programs (its own files that are `.py` or start with a
 * python `#!`) that the image does not satisfy, as Python would look for them: beside the
 * program, on the spec's PYTHONPATH, in each kept interpreter's library and lib-dynload, and in
 * the packages' module directories; a module whose init function (`PyInit_NAME`) or name is
 * in the interpreter may be built into it and is taken as there. Imports inside `try:` are the program's to handle.
 */
async function missingPythonImports(
  root: VirtualRoot,
  kept: ReadonlyMap<string, KeptFile>,
  env: ReadonlyMap<string, string>,
  runs: ReadonlySet<string>,
  readBlob: (sha256: string) => Promise<Uint8Array>,
): Promise<MissingImport[]> {
  const pythons = keptInterpreters(kept.keys()).filter((k) => k.interpreter.rule === "python-modules" && k.version !== undefined);
  if (pythons.length === 0) return [];
  const scripts: { path: string; text: string }[] = [];
  for (const path of runs) {
    const node = root.nodes.get(path);
    if (node?.pkg !== SPEC_PACKAGE || node.kind !== "file") continue;
    const bytes = await readBlob(node.sha256);
    const head = new TextDecoder().decode(bytes.subarray(0, 128));
    if (!path.endsWith(".py") && !/^#!\S*(python|env\s+python)/.test(head)) continue;
    scripts.push({ path, text: new TextDecoder().decode(bytes) });
  }
  if (scripts.length === 0) return [];
  // What the image holds: the kept files, the spec's own, and every directory above them (a namespace package).
  const files = new Set(kept.keys());
  for (const node of root.nodes.values()) if (node.pkg === SPEC_PACKAGE && node.kind !== "directory") files.add(node.path);
  const dirs = new Set<string>();
  for (const path of files) for (let d = posix.dirname(path); d !== "/" && !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  // The interpreters' own bytes, for the names of modules built into them.
  const binaries: Uint8Array[] = [];
  for (const path of files) {
    if (pythons.some((p) => p.path === path) || /\/libpython3\.\d+\.so[.\d]*$/.test(path)) {
      const node = kept.get(path)?.node;
      if (node?.kind === "file") binaries.push(await readBlob(node.sha256));
    }
  }
  // A module built into the interpreter has its init function there (`PyInit_errno`), or, for
  // the core ones (`sys`, `builtins`), its name as a C string of the module table.
  const builtIn = (name: string) =>
    binaries.some((b) => {
      const bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      return bytes.includes(Buffer.from(`PyInit_${name}\0`)) || bytes.includes(Buffer.from(`\0${name}\0`));
    });
  const versions = [...new Set(pythons.map((p) => p.version as string))];
  const libraries = versions.flatMap((v) => [`/usr/lib/python${v}`, `/usr/lib/python${v}/lib-dynload`, `/usr/local/lib/python${v}/dist-packages`]);
  const searchPath = [...(env.get("PYTHONPATH") ?? "").split(":").filter((d) => d.startsWith("/")), ...libraries, "/usr/lib/python3/dist-packages"];
  // Extension modules by directory and module name: name.so, name.cpython-311-x86_64-linux-gnu.so.
  const extensions = new Set<string>();
  for (const f of files) if (f.endsWith(".so")) extensions.add(`${posix.dirname(f)}/${posix.basename(f).split(".")[0]}`);
  const moduleIn = (dir: string, parts: readonly string[]): boolean => {
    const base = posix.join(dir, ...parts);
    return files.has(`${base}.py`) || files.has(`${base}/__init__.py`) || dirs.has(base) || extensions.has(base);
  };
  const out: MissingImport[] = [];
  for (const script of scripts) {
    const seen = new Set<string>();
    for (const imp of pythonImports(script.text)) {
      if (imp.optional) continue;
      const dots = /^\.*/.exec(imp.module)?.[0].length ?? 0;
      const parts = imp.module.slice(dots).split(".").filter(Boolean);
      let found: boolean;
      if (dots > 0) {
        let dir = posix.dirname(script.path);
        for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
        found = parts.length === 0 || moduleIn(dir, parts);
      } else {
        const top = parts[0] as string;
        found = builtIn(top) || [posix.dirname(script.path), ...searchPath].some((dir) => moduleIn(dir, parts));
      }
      const key = parts[0] ?? imp.module;
      if (found || seen.has(key)) continue;
      seen.add(key);
      out.push({
        script: script.path,
        module: imp.module,
        line: imp.line,
        candidates: dots > 0 ? [] : [`/usr/lib/python3/dist-packages/${parts[0]}/__init__.py`, `/usr/lib/python3/dist-packages/${parts[0]}.py`],
      });
    }
  }
  return out;
}
