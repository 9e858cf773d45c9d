import { dirname, resolve } from "node:path";
import { createBlobStore } from "../../cache/store.js";
import { unpackDeb } from "../../extract/unpack.js";
import { lockSpec } from "../../resolve/lock-spec.js";
import { archiveBases } from "../../source/bases.js";
import { fetchPackages } from "../../source/fetch-packages.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { cacheRootOf, fetchProgress, loadOrReport, lockOptionsOf, printDiagnostics } from "./common.js";
import type { LockCommandOptions } from "./lock.js";
import { reportSourceErrors } from "./source-errors.js";

/** `mcc fetch SPEC`: lock if needed, then download, verify and unpack every package into the cache. */
export async function fetchCommand(file: string, options: LockCommandOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await loadOrReport(file, io, cacheRootOf(options, io));
  if (loaded === undefined) return EXIT.userError;
  const { spec } = loaded;
  const cacheRoot = cacheRootOf(options, io);
  return reportSourceErrors(io, async () => {
    const outcome = await lockSpec(io.host, spec, loaded.ast, file, lockOptionsOf(options, io));
    if (outcome.status === "failed") {
      printDiagnostics(io, loaded, outcome.diagnostics);
      return EXIT.userError;
    }
    const store = createBlobStore(io.host, cacheRoot);
    const bases = { ...(await archiveBases(io.host, spec, io.env)), local: dirname(resolve(io.cwd, file)) };
    for (const [arch, locked] of Object.entries(outcome.lock.archs)) {
      const progress = fetchProgress(io, arch, options.quiet === true);
      const result = await fetchPackages(io.host, locked.packages, bases, store, { parallel: 4, offline: options.offline === true }, progress.events);
      progress.finish();
      let files = 0;
      for (const pkg of locked.packages) files += (await unpackDeb(store, pkg.sha256)).entries.length;
      if (!options.quiet) {
        io.stdout(`${arch}: ${locked.packages.length} packages (${result.fetched} fetched, ${result.cached} from the cache), ${files} entries unpacked into ${cacheRoot}\n`);
      }
    }
    return EXIT.ok;
  });
}
