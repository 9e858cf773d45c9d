import { lockSpec } from "../../resolve/lock-spec.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { formatSize, loadOrReport, lockOptionsOf, printDiagnostics, type SourceOptions } from "./common.js";
import { reportSourceErrors } from "./source-errors.js";

export type LockCommandOptions = SourceOptions;

/** `mcc lock SPEC`: resolve the packages and pin them in SPEC's lock file. */
export async function lockCommand(file: string, options: LockCommandOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await loadOrReport(file, io);
  if (loaded === undefined) return EXIT.userError;
  return reportSourceErrors(io, async () => {
    const events = options.quiet ? {} : { onFetch: (url: string, bytes: number) => io.stderr(`fetched ${url} (${formatSize(bytes)})\n`) };
    const outcome = await lockSpec(io.host, loaded.spec, loaded.ast, file, lockOptionsOf(options, io, events));
    if (outcome.status === "failed") {
      printDiagnostics(io, loaded, outcome.diagnostics);
      return EXIT.userError;
    }
    if (!options.quiet) {
      const counts = Object.entries(outcome.lock.archs).map(([arch, a]) => `${a.packages.length} packages for ${arch}`).join(", ");
      const what = { current: "is current", written: "written", unchanged: "unchanged (the archive gives the same set)", transient: "resolved, not written" }[outcome.status];
      const stale = outcome.wasStale ? " (the previous lock did not match the spec)" : "";
      io.stdout(`${outcome.path}: ${what}${stale}; ${counts} (${outcome.lock.release})\n`);
    }
    return EXIT.ok;
  });
}
