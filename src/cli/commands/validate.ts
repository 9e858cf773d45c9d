import { renderDiagnostic, renderSummary } from "../../diagnostics/render.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { loadSpec } from "../../pipeline/load-spec.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

export interface ValidateOptions {
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** `mcc validate FILE...`: every problem in every file, in one run. */
export async function validateCommand(files: readonly string[], options: ValidateOptions, io: CliIo): Promise<ExitCode> {
  const all: Diagnostic[] = [];
  let failedFiles = 0;
  for (const file of files) {
    const loaded = await loadSpec(io.host, file, { defaultArch: io.hostArch });
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    all.push(...loaded.diagnostics);
    if (errors.length > 0) failedFiles++;
    if (options.json) continue;
    for (const d of loaded.diagnostics) {
      io.stderr(renderDiagnostic(d, loaded.source, { excerpt: io.stderrIsTty, color: io.color }) + "\n");
    }
    if (errors.length === 0 && !options.quiet) io.stdout(`${file}: ok\n`);
  }
  const errorCount = all.filter((d) => d.severity === "error").length;
  if (options.json) {
    io.stdout(JSON.stringify({ ok: errorCount === 0, diagnostics: all }, null, 2) + "\n");
  } else if (errorCount > 0) {
    io.stderr(renderSummary(errorCount, failedFiles) + "\n");
  }
  return errorCount > 0 ? EXIT.userError : EXIT.ok;
}
