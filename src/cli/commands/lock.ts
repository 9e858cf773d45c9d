import { defaultCacheRoot } from "../../cache/store.js";
import { renderDiagnostic, renderSummary } from "../../diagnostics/render.js";
import { loadSpec } from "../../pipeline.js";
import { lockSpec } from "../../resolve/lock-spec.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { reportSourceErrors } from "./source-errors.js";

export interface LockCommandOptions {
  readonly update?: boolean;
  readonly frozen?: boolean;
  readonly offline?: boolean;
  readonly allowExpired?: boolean;
  readonly cache?: string;
  readonly quiet?: boolean;
}

/** `mcc lock SPEC`: resolve the packages and pin them in SPEC's lock file. */
export async function lockCommand(file: string, options: LockCommandOptions, io: CliIo): Promise<ExitCode> {
  const loaded = await loadSpec(io.host, file, { defaultArch: io.hostArch });
  const print = (diagnostics: typeof loaded.diagnostics) => {
    for (const d of diagnostics) io.stderr(renderDiagnostic(d, loaded.source, { excerpt: io.stderrIsTty, color: io.color }) + "\n");
  };
  if (loaded.spec === undefined || loaded.ast === undefined) {
    print(loaded.diagnostics);
    io.stderr(renderSummary(loaded.diagnostics.length, 1) + "\n");
    return EXIT.userError;
  }
  const cacheRoot = options.cache ?? defaultCacheRoot(io.env, io.env["HOME"] ?? "/tmp");
  return reportSourceErrors(io, async () => {
    const outcome = await lockSpec(io.host, loaded.spec!, loaded.ast!, file, {
      cacheRoot,
      update: options.update === true,
      frozen: options.frozen === true,
      offline: options.offline === true,
      allowExpired: options.allowExpired === true,
      env: io.env,
      events: options.quiet ? {} : { onFetch: (url, bytes) => io.stderr(`fetched ${url} (${formatSize(bytes)})\n`) },
    });
    if (outcome.status === "failed") {
      print(outcome.diagnostics);
      io.stderr(renderSummary(outcome.diagnostics.length, 1) + "\n");
      return EXIT.userError;
    }
    if (!options.quiet) {
      const counts = Object.entries(outcome.lock.archs).map(([arch, a]) => `${a.packages.length} packages for ${arch}`).join(", ");
      const what = { current: "is current", written: "written", unchanged: "unchanged (the archive gives the same set)" }[outcome.status];
      io.stdout(`${outcome.path}: ${what}; ${counts} (${outcome.lock.release})\n`);
    }
    return EXIT.ok;
  });
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}
