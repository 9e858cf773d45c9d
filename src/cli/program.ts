import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { schemaCommand } from "./commands/schema.js";
import { validateCommand } from "./commands/validate.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";

const require = createRequire(import.meta.url);
export const VERSION: string = (require("../../../package.json") as { version: string }).version;

/**
 * Runs mcc with the given arguments (without `node` and the script) and returns the exit
 * code. Never throws for a user's or the world's failure; a thrown error is a bug.
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = new Command("mcc")
    .description("mcc, the microcontainer compiler: a small spec in, a minimal reproducible image out")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 errors in your input, 2 wrong command line, 3 network or
verification failure, 70 a bug in mcc.
Documentation: docs/spec.md (the spec format), docs/diagnostics.md (every error code).`,
    )
    .showHelpAfterError("(run mcc --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command("validate")
    .description("check specs: YAML syntax, the schema and the meaning, every problem in one run")
    .argument("<file...>", "spec files")
    .addOption(new Option("--json", "print the diagnostics as JSON on stdout"))
    .addOption(new Option("-q, --quiet", "print nothing for valid specs"))
    .action(async (files: string[], options: { json?: boolean; quiet?: boolean }) => {
      code = await validateCommand(files, options, io);
    });

  program
    .command("schema")
    .description("print the spec's JSON Schema (draft 2020-12)")
    .action(() => {
      code = schemaCommand(io);
    });

  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return code;
}
