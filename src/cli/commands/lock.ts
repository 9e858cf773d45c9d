import { diffLocks, formatLockChange } from "../../resolve/lock-diff.js";
import { lockSpec } from "../../resolve/lock-spec.js";
import { foundForSpecFiles } from "../../resolve/lock.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { cacheRootOf, formatSize, loadOrReport, lockOptionsOf, printDiagnostics, type SourceOptions } from "./common.js";
import { reportSourceErrors } from "./source-errors.js";

export interface LockCommandOptions extends SourceOptions {
  /** Resolve again and compare; exit 1 when the lock is stale. Writes nothing. */
  readonly check?: boolean;
}

/** `mcc lock SPEC`: resolve the packages and pin them in SPEC's lock file. */
export async function lockCommand(file: string, options: LockCommandOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await loadOrReport(file, io, cacheRootOf(options, io));
  if (loaded === undefined) return EXIT.userError;
  return reportSourceErrors(io, async () => {
    const events = options.quiet ? {} : { onFetch: (url: string, bytes: number) => io.stderr(`fetched ${url} (${formatSize(bytes)})\n`) };
    const outcome = await lockSpec(io.host, loaded.spec, loaded.ast, file, { ...lockOptionsOf(options, io, events), check: options.check === true });
    if (outcome.status === "failed") {
      printDiagnostics(io, loaded, outcome.diagnostics);
      return EXIT.userError;
    }
    // What changed, package by package: the reason to commit (or to open a refresh).
    const changes = outcome.status === "current" ? [] : diffLocks(outcome.previous, outcome.lock);
    if (outcome.previous !== undefined && (!options.quiet || outcome.status === "stale")) for (const change of changes) io.stdout(`  ${formatLockChange(change)}\n`);
    if (outcome.status === "stale") {
      const why =
        outcome.previous === undefined
          ? "there is no lock"
          : changes.length > 0
            ? `${changes.length} change(s)`
            : outcome.previous.inputs !== outcome.lock.inputs
              ? "the lock does not match the spec"
              : "the same packages, from other indexes of the archive";
      io.stderr(`mcc: ${outcome.path} is stale (${why}); run mcc lock --update ${file}\n`);
      return EXIT.userError;
    }
    if (!options.quiet) {
      const counts = Object.entries(outcome.lock.archs).map(([arch, a]) => `${a.packages.length} packages for ${arch}`).join(", ");
      const what = { current: options.check ? "is current (checked against the archive)" : "is current", written: "written", unchanged: "unchanged (the archive gives the same set)", transient: "resolved, not written" }[outcome.status];
      const stale = outcome.wasStale ? " (the previous lock did not match the spec)" : "";
      io.stdout(`${outcome.path}: ${what}${stale}; ${counts} (${outcome.lock.release})\n`);
      // The packages found for the spec's own files, and why: what the user did not name.
      for (const [arch, a] of Object.entries(outcome.lock.archs)) {
        for (const p of a.packages.filter(foundForSpecFiles)) io.stdout(`  found ${p.name} ${p.version}${Object.keys(outcome.lock.archs).length > 1 ? ` (${arch})` : ""}: ${p.reason}\n`);
      }
    }
    return EXIT.ok;
  });
}
