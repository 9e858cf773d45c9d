import { formatDsl } from "../../format/convert-spec.js";
import { isDslPath } from "../../parse/spec-syntax.js";
import { readSpecSource } from "../../pipeline/load-spec.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { printDiagnostics } from "./common.js";

export interface FmtOptions {
  /** Print nothing; fail, naming each file, when one is not in canonical form (for CI). */
  readonly check?: boolean;
  /** Rewrite files that are not in canonical form, atomically. */
  readonly write?: boolean;
}

/** `mcc fmt FILE...`: the canonical form of .mcc files, on stdout, checked, or written back. */
export async function fmtCommand(files: readonly string[], options: FmtOptions, io: CliIo): Promise<ExitCode> {
  if (options.check === true && options.write === true) {
    io.stderr("mcc: error: --check and --write exclude each other\n");
    return EXIT.usage;
  }
  if (files.length > 1 && options.check !== true && options.write !== true) {
    io.stderr("mcc: error: give one file, or use --check or --write for several\n");
    return EXIT.usage;
  }
  let code: ExitCode = EXIT.ok;
  for (const file of files) {
    if (!isDslPath(file)) {
      io.stderr(`mcc: error: ${file} is not a .mcc file; mcc fmt formats the DSL (to rewrite YAML, see mcc convert)\n`);
      code = EXIT.userError;
      continue;
    }
    const read = await readSpecSource(io.host, file);
    if (read.source === undefined) {
      printDiagnostics(io, read, read.diagnostics);
      code = EXIT.userError;
      continue;
    }
    const formatted = formatDsl(read.source);
    if (formatted.text === undefined) {
      printDiagnostics(io, read, formatted.diagnostics);
      code = EXIT.userError;
      continue;
    }
    const canonical = formatted.text === read.source.text;
    if (options.check === true) {
      if (!canonical) {
        io.stderr(`${file}: not in canonical form; run \`mcc fmt --write ${file}\`\n`);
        code = EXIT.userError;
      }
    } else if (options.write === true) {
      if (!canonical) {
        await io.host.writeFileAtomic(file, formatted.text);
        io.stderr(`formatted ${file}\n`);
      }
    } else {
      io.stdout(formatted.text);
    }
  }
  return code;
}
