import { dirname } from "node:path";
import { diagnosticAt, diagnosticForFile, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Host } from "../host/host.js";
import { childPointer, type SpecAst } from "../types/ast.js";
import type { LocalPackage, Spec } from "../types/spec.js";
import { readLocalDeb } from "../source/local-deb.js";
import type { PackageRecord } from "../source/packages-index.js";
import { locate } from "../diagnostics/locate.js";
import { lockPathFor, parseLock, resolutionInputs, type LockOptions, type LockOutcome } from "./lock.js";
import { needKey, specFileNeeds, type SpecFileNeeds } from "./needs.js";

/**
 * `mcc lock`: resolves the spec's packages against the verified archive and writes the lock
 * beside the spec, unless the lock there is already current. Resolution problems are
 * diagnostics at the spec's `packages` entries; failures of the outside world throw a
 * SourceError.
 */
export async function lockSpec(host: Host, spec: Spec, ast: SpecAst, specPath: string, options: LockOptions): Promise<LockOutcome> {
  const path = lockPathFor(specPath);
  const specDir = dirname(specPath);
  // Local .debs are read first: their content is part of what the lock must match.
  const locals = new Map<number, PackageRecord>();
  const localProblems: Diagnostic[] = [];
  for (const [index, p] of spec.packages.entries()) {
    if (!("deb" in p)) continue;
    const read = await readLocalDeb(host, specDir, p.deb);
    if ("problem" in read) localProblems.push(diagnosticAt(ast.source, locate(ast, childPointer("/packages", index)), "MCC327", { value: p.deb, reason: read.problem }));
    else locals.set(index, read.record);
  }
  if (localProblems.length > 0) return { status: "failed", path, diagnostics: localProblems };
  // What the spec's own files need, per architecture: part of what the lock must match.
  const needsByArch = new Map<string, SpecFileNeeds>();
  for (const arch of spec.from.archs) needsByArch.set(arch, await specFileNeeds(host, spec, specDir, arch));
  const needKeys = [...new Set([...needsByArch].flatMap(([arch, n]) => n.needs.map((need) => `${arch} ${needKey(need)}`)))].sort();
  const inputs = resolutionInputs(spec, new Map([...locals].map(([i, r]) => [(spec.packages[i] as LocalPackage).deb, r.sha256])), needKeys);
  const existingText = await readText(host, path);
  const existing = existingText === undefined ? undefined : parseLock(existingText);
  const current = existing !== undefined && existing.inputs === inputs;

  if (options.frozen) {
    if (existing === undefined) return { status: "failed", path, diagnostics: [diagnosticForFile(specPath, "MCC410", { path })] };
    if (!current) return { status: "failed", path, diagnostics: [diagnosticForFile(specPath, "MCC411", { path })] };
    return { status: "current", path, lock: existing, wasStale: false, diagnostics: [] };
  }
  if (current && !options.update && !options.check) return { status: "current", path, lock: existing, wasStale: false, diagnostics: [] };
  const wasStale = existing !== undefined && !current;
  // Resolving loads the archive's readers and the resolver; a build with a current lock does not.
  const { resolveLock } = await import("./resolve-lock.js");
  return resolveLock(host, spec, ast, options, { path, specDir, locals, needsByArch, inputs, existing, existingText, wasStale });
}

async function readText(host: Host, path: string): Promise<string | undefined> {
  if ((await host.stat(path))?.kind !== "file") return undefined;
  return new TextDecoder().decode(await host.readFile(path));
}
