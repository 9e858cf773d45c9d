import { convertSpec, type SpecSyntax } from "../../format/convert-spec.js";
import { isDslPath } from "../../parse/spec-syntax.js";
import { readSpecSource } from "../../pipeline/load-spec.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";
import { printDiagnostics } from "./common.js";

export interface ConvertOptions {
  /** The syntax to write. */
  readonly to: SpecSyntax;
  /** A file to write (atomically) instead of stdout. */
  readonly output?: string;
}

/** `mcc convert --to dsl|yaml FILE`: the spec in the other syntax, on stdout or in a file. */
export async function convertCommand(file: string, options: ConvertOptions, io: CliIo): Promise<ExitCode> {
  const read = await readSpecSource(io.host, file);
  if (read.source === undefined) {
    printDiagnostics(io, read, read.diagnostics);
    return EXIT.userError;
  }
  const converted = convertSpec(read.source, isDslPath(file) ? "dsl" : "yaml", options.to);
  if (converted.text === undefined) {
    printDiagnostics(io, read, converted.diagnostics);
    io.stderr(`mcc: ${file} was not converted: only a spec without errors can be\n`);
    return EXIT.userError;
  }
  if (options.output === undefined) io.stdout(converted.text);
  else await io.host.writeFileAtomic(options.output, converted.text);
  return EXIT.ok;
}
