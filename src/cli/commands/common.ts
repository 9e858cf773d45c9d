import { resolve } from "node:path";
import { BUILD_ID } from "../../build-id.js";
import { defaultCacheRoot } from "../../cache/store.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderDiagnostic, renderSummary } from "../../diagnostics/render.js";
import { loadSpec, type LoadedSpec } from "../../pipeline/load-spec.js";
import { specMemoAt } from "../../pipeline/spec-memo.js";
import type { LockOptions } from "../../resolve/lock.js";
import type { FetchEvents } from "../../source/fetch-packages.js";
import type { CliIo } from "../io.js";

/** The options of every command that reads the archive. */
export interface SourceOptions {
  readonly update?: boolean;
  readonly frozen?: boolean;
  readonly offline?: boolean;
  readonly allowExpired?: boolean;
  readonly cache?: string;
  readonly quiet?: boolean;
}

export function printDiagnostics(io: CliIo, loaded: LoadedSpec, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) io.stderr(renderDiagnostic(d, loaded.source, { excerpt: io.stderrIsTty, color: io.color }) + "\n");
  io.stderr(renderSummary(diagnostics.filter((d) => d.severity === "error").length, 1) + "\n");
}

/**
 * Loads a spec, or prints why it cannot be used and returns undefined. With the cache's root,
 * its parse and validation are kept there for the next command (spec-memo.ts).
 */
export async function loadOrReport(file: string, io: CliIo, cacheRoot?: string): Promise<(LoadedSpec & { spec: NonNullable<LoadedSpec["spec"]>; ast: NonNullable<LoadedSpec["ast"]> }) | undefined> {
  const loaded = await loadSpec(io.host, file, { defaultArch: io.hostArch }, cacheRoot === undefined ? undefined : specMemoAt(io.host, cacheRoot, BUILD_ID));
  if (loaded.spec === undefined || loaded.ast === undefined) {
    printDiagnostics(io, loaded, loaded.diagnostics);
    return undefined;
  }
  return loaded as LoadedSpec & { spec: NonNullable<LoadedSpec["spec"]>; ast: NonNullable<LoadedSpec["ast"]> };
}

export function cacheRootOf(options: SourceOptions, io: CliIo): string {
  return options.cache ?? defaultCacheRoot(io.env, io.env["HOME"] ?? "/tmp");
}

export function lockOptionsOf(options: SourceOptions, io: CliIo, events?: LockOptions["events"]): LockOptions {
  return {
    cacheRoot: cacheRootOf(options, io),
    update: options.update === true,
    frozen: options.frozen === true,
    offline: options.offline === true,
    allowExpired: options.allowExpired === true,
    env: io.env,
    ...(events === undefined ? {} : { events }),
  };
}

/**
 * Download progress: one updating line on a terminal (packages and bytes), one plain line per
 * fetched package otherwise, nothing with --quiet.
 */
export function fetchProgress(io: CliIo, arch: string | (() => string), quiet: boolean): { events: FetchEvents; finish(): void } {
  let done = 0;
  let bytes = 0;
  let total = 0;
  let totalBytes = 0;
  const line = (final: boolean) => {
    if (quiet || !io.stderrIsTty || total === 0) return;
    io.stderr(`\r\x1b[Kfetching ${typeof arch === "string" ? arch : arch()}: ${done}/${total} packages, ${formatSize(bytes)}/${formatSize(totalBytes)}${final ? "\n" : ""}`);
  };
  return {
    events: {
      // Several fetches may report: the totals add up.
      onStart: (n, b) => {
        total += n;
        totalBytes += b;
        line(false);
      },
      onPackage: (pkg, cached) => {
        if (cached) return;
        done++;
        bytes += pkg.size;
        if (!quiet && !io.stderrIsTty) io.stderr(`fetched ${pkg.name} ${pkg.version} ${pkg.arch} (${formatSize(pkg.size)}, sha256 verified)\n`);
        line(false);
      },
    },
    finish: () => line(true),
  };
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/**
 * `PATH=DIR` options (`--mount`, `--config`): each mount's path in the image, absolute, to a
 * directory of this machine (relative to the current one); undefined, after saying why, when one
 * is not of that form.
 */
export function bindsOf(flag: string, values: readonly string[], what: string, io: CliIo): Map<string, string> | undefined {
  const binds = new Map<string, string>();
  for (const value of values) {
    const at = value.indexOf("=");
    if (at <= 0 || !value.startsWith("/")) {
      io.stderr(`mcc: error: ${flag} ${value}: give PATH=DIR, ${what} and a directory of this machine\n`);
      return undefined;
    }
    binds.set(value.slice(0, at), resolve(io.cwd, value.slice(at + 1)));
  }
  return binds;
}
