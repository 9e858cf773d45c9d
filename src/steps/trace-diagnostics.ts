import { posix } from "node:path";
import { diagnosticAt, type Diagnostic } from "../diagnostics/diagnostic.js";
import { locate, valueAt } from "../diagnostics/locate.js";
import { childPointer } from "../types/ast.js";
import { mergedUsrPath } from "../debian/merged-usr.js";
import type { InertScript, MissingImport, ProblemOrigin, StartupMissing, TraceProblem, UnmatchedGlob } from "../trace/trace.js";
import type { SpecAst } from "../types/ast.js";

/**
 * Tracing's problems as diagnostics at the spec's `executable`. `shippedBy`: the packages of
 * the release that ship a missing path, when the Contents index was asked.
 */
export function traceDiagnostics(problems: readonly TraceProblem[], ast: SpecAst, shippedBy: ReadonlyMap<string, readonly string[]> = new Map()): Diagnostic[] {
  return groupRepeats(problems).map(({ problem, others }) => problemDiagnostic(problem, ast, shippedBy, others));
}

/**
 * One diagnostic for a library or interpreter that many files lack (the scripts of a module
 * tree all naming one interpreter): the first, with how many others, where the same origin
 * brought them in.
 */
function groupRepeats(problems: readonly TraceProblem[]): { problem: TraceProblem; others: number }[] {
  const out: { problem: TraceProblem; others: number }[] = [];
  const byKey = new Map<string, { problem: TraceProblem; others: number }>();
  for (const problem of problems) {
    const what = problem.kind === "library-missing" ? problem.name : problem.kind === "interpreter-missing" ? problem.path : undefined;
    const key = what === undefined ? undefined : `${problem.kind} ${what} ${JSON.stringify("origin" in problem ? problem.origin ?? null : null)}`;
    const seen = key === undefined ? undefined : byKey.get(key);
    if (seen !== undefined) {
      seen.others++;
      continue;
    }
    const entry = { problem, others: 0 };
    if (key !== undefined) byKey.set(key, entry);
    out.push(entry);
  }
  return out;
}

/** Where the spec brought in the file a problem is about: its include, or its files entry. */
function originAt(ast: SpecAst, origin: ProblemOrigin | undefined): ReturnType<typeof locate> | undefined {
  if (origin === undefined) return undefined;
  if (origin.kind === "include") return globAt(ast, "include", origin.glob);
  const files = valueAt(ast.value, "/files");
  if (!Array.isArray(files)) return undefined;
  const i = files.findIndex((f) => typeof (f as { path?: unknown })?.path === "string" && mergedUsrPath((f as { path: string }).path) === origin.path);
  return i < 0 ? undefined : locate(ast, childPointer(childPointer("/files", i), "path"));
}

/** "it is in the package P: add it to packages", from the Contents index. */
function shippedHint(path: string, shippedBy: ReadonlyMap<string, readonly string[]>): string | undefined {
  const packages = shippedBy.get(path) ?? [];
  if (packages.length === 0) return undefined;
  return packages.length === 1 ? `the release's package ${packages[0]} ships it: add it to packages` : `the release's packages ${packages.join(", ")} ship it: add the one you want to packages`;
}

function problemDiagnostic(problem: TraceProblem, ast: SpecAst, shippedBy: ReadonlyMap<string, readonly string[]>, others = 0): Diagnostic {
  const at = ("origin" in problem ? originAt(ast, problem.origin) : undefined) ?? locate(ast, "/executable");
  const by = (path: string) => (others === 0 ? path : `${path} and ${others} other file${others === 1 ? "" : "s"}`);
  switch (problem.kind) {
    case "executable-missing":
      return diagnosticAt(
        ast.source,
        at,
        "MCC500",
        { path: problem.path },
        shippedHint(problem.path, shippedBy) ?? (problem.suggestions.length > 0 ? `the packages have: ${problem.suggestions.join(", ")}` : "add the package that ships it to packages"),
      );
    case "library-missing":
      return diagnosticAt(ast.source, at, "MCC501", { name: problem.name, by: by(problem.by) }, `searched ${problem.searched.join(":")}; add the package that ships ${problem.name}`);
    case "interpreter-missing":
      return diagnosticAt(ast.source, at, "MCC502", { path: problem.path, by: by(problem.by) }, shippedHint(problem.path, shippedBy) ?? `add the package that ships ${posix.basename(problem.path)}`);
    case "bad-elf":
      return diagnosticAt(ast.source, at, "MCC503", { path: problem.path, message: problem.message });
    case "excluded-needed":
      return diagnosticAt(ast.source, globAt(ast, "exclude", problem.glob) ?? at, "MCC506", { glob: problem.glob, path: problem.path, by: problem.by });
  }
}

/** Where the spec writes a glob of `include` or `exclude`: its item, or undefined when mcc added it. */
function globAt(ast: SpecAst, key: "include" | "exclude", glob: string): ReturnType<typeof locate> | undefined {
  const list = valueAt(ast.value, `/${key}`);
  if (!Array.isArray(list)) return undefined;
  const i = list.indexOf(glob);
  return i < 0 ? undefined : locate(ast, childPointer(`/${key}`, i));
}

/**
 * Warnings for the globs that matched nothing, at their items: one per glob, naming the
 * architectures where it matched nothing when not all of the image's did.
 */
export function unmatchedDiagnostics(byArch: readonly { arch: string; unmatched: readonly UnmatchedGlob[] }[], ast: SpecAst): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const { unmatched } of byArch) {
    for (const u of unmatched) {
      const key = `${u.kind} ${u.glob}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const at = globAt(ast, u.kind, u.glob);
      if (at === undefined) continue;
      const archs = byArch.filter((a) => a.unmatched.some((o) => o.kind === u.kind && o.glob === u.glob)).map((a) => a.arch);
      const where = archs.length === byArch.length ? "" : ` for ${archs.join(", ")}`;
      const hint = u.directory ? `it names a directory, and include keeps files: "${u.glob.replace(/\/+$/, "")}/**" keeps what is in it` : u.suggestion !== undefined ? `did you mean "${u.suggestion}"?` : undefined;
      out.push({ ...diagnosticAt(ast.source, at, u.kind === "include" ? "MCC504" : "MCC505", { glob: u.glob, where }, hint), severity: "warning" });
    }
  }
  return out;
}

/**
 * Warnings for kept scripts that cannot run, at the include (or files entry) that brought them
 * in: one per interpreter and origin, with how many scripts, naming the architectures where it
 * holds when not all of the image's.
 */
export function inertDiagnostics(byArch: readonly { arch: string; inert: readonly InertScript[] }[], ast: SpecAst): Diagnostic[] {
  const groups = new Map<string, { first: InertScript; paths: Set<string>; archs: Set<string> }>();
  for (const { arch, inert } of byArch) {
    for (const script of inert) {
      const key = `${script.interpreter} ${JSON.stringify(script.origin ?? null)} ${script.rule ?? ""}`;
      const group = groups.get(key) ?? { first: script, paths: new Set<string>(), archs: new Set<string>() };
      group.paths.add(script.path);
      group.archs.add(arch);
      groups.set(key, group);
    }
  }
  return [...groups.values()].map(({ first, paths, archs }) => {
    const at = originAt(ast, first.origin) ?? locate(ast, "/executable");
    const others = paths.size - 1;
    const path = others === 0 ? first.path : `${first.path} and ${others} other kept file${others === 1 ? "" : "s"}`;
    const where = archs.size === byArch.length ? "" : ` for ${[...archs].join(", ")}`;
    const keptBy = first.origin === undefined && first.rule !== undefined ? ` (the rule ${first.rule} keeps ${others === 0 ? "it" : "them"})` : "";
    const hint = `nothing in the image runs ${others === 0 ? "it" : "them"}, so ${others === 0 ? "it is" : "they are"} kept as data${keptBy}; if the program runs ${others === 0 ? "it" : "them"}, add the package that ships ${posix.basename(first.interpreter)}`;
    return { ...diagnosticAt(ast.source, at, "MCC507", { path, verb: others === 0 ? "starts" : "start", interpreter: first.interpreter.startsWith("/") ? first.interpreter : `/usr/bin/env ${first.interpreter}`, where }, hint), severity: "warning" as const };
  });
}

/**
 * Warnings for interpreters kept without what they load to start: at the exclude that took the
 * file out, else at the executable, with the package that ships it when the release's Contents
 * index was asked (`shippedBy`) and the glob its tree is kept by.
 */
export function startupDiagnostics(
  byArch: readonly { arch: string; startup: readonly StartupMissing[] }[],
  ast: SpecAst,
  shippedBy: ReadonlyMap<string, readonly string[]> = new Map(),
): Diagnostic[] {
  const seen = new Map<string, { first: StartupMissing; archs: string[] }>();
  for (const { arch, startup } of byArch) {
    for (const s of startup) {
      const key = `${s.interpreter} ${s.needs}`;
      const entry = seen.get(key) ?? { first: s, archs: [] };
      entry.archs.push(arch);
      seen.set(key, entry);
    }
  }
  return [...seen.values()].map(({ first, archs }) => {
    const where = archs.length === byArch.length ? "" : ` for ${archs.join(", ")}`;
    const tree = first.trees.find((t) => treeHolds(t, first.needs));
    const excludeAt = first.excludedBy === undefined ? undefined : globAt(ast, "exclude", first.excludedBy);
    const hint =
      first.excludedBy !== undefined
        ? `exclude "${first.excludedBy}" takes it out: narrow it${tree === undefined ? "" : ` (mcc keeps ${tree} for ${posix.basename(first.interpreter)})`}`
        : `${shippedHint(first.needs, shippedBy) ?? "no package of the set ships it: add the package that does"}${tree === undefined ? "" : `; mcc then keeps ${tree} whole`}`;
    return { ...diagnosticAt(ast.source, excludeAt ?? locate(ast, "/executable"), "MCC508", { interpreter: first.interpreter, needs: first.needs, where }, hint), severity: "warning" as const };
  });
}

/** Whether a tree glob (`/usr/lib/python3.11/**`) holds a path: its literal part is the path's directory or above. */
function treeHolds(tree: string, path: string): boolean {
  const literal = tree.replace(/\/\*\*$/, "");
  return !/[*?[]/.test(literal) && path.startsWith(`${literal}/`);
}

/**
 * Warnings for the modules the spec's Python programs import and the image lacks: at the files
 * entry of the program, one per program and module, with the package that ships it when the
 * Contents index knows one (`shippedBy`, by candidate path).
 */
export function importDiagnostics(byArch: readonly { arch: string; missingImports: readonly MissingImport[] }[], ast: SpecAst, shippedBy: ReadonlyMap<string, readonly string[]> = new Map()): Diagnostic[] {
  const seen = new Map<string, { first: MissingImport; archs: string[] }>();
  for (const { arch, missingImports } of byArch) {
    for (const m of missingImports) {
      const key = `${m.script} ${m.module}`;
      const entry = seen.get(key) ?? { first: m, archs: [] };
      entry.archs.push(arch);
      seen.set(key, entry);
    }
  }
  return [...seen.values()].map(({ first, archs }) => {
    const where = archs.length === byArch.length ? "" : ` for ${archs.join(", ")}`;
    const at = originAt(ast, { kind: "file", path: first.script }) ?? originAtDirectory(ast, first.script) ?? locate(ast, "/executable");
    const shipped = first.candidates.map((c) => shippedHint(c, shippedBy)).find((h) => h !== undefined);
    const hint = shipped ?? (first.module.startsWith(".") ? "it is not beside the program: add it to the spec's files" : "no package of the release ships it under /usr/lib/python3/dist-packages: add it to the spec's files, or name the package that provides it");
    return { ...diagnosticAt(ast.source, at, "MCC509", { script: first.script, module: first.module, line: first.line, where }, hint), severity: "warning" as const };
  });
}

/** The files entry of a directory source that holds `path` (a program copied with its tree). */
function originAtDirectory(ast: SpecAst, path: string): ReturnType<typeof locate> | undefined {
  const files = valueAt(ast.value, "/files");
  if (!Array.isArray(files)) return undefined;
  const i = files.findIndex((f) => typeof (f as { path?: unknown })?.path === "string" && path.startsWith(`${mergedUsrPath((f as { path: string }).path).replace(/\/+$/, "")}/`));
  return i < 0 ? undefined : locate(ast, childPointer(childPointer("/files", i), "path"));
}
