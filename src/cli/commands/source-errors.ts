import { SourceError } from "../../host/errors.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

/** Runs a command that talks to the archive; a failure of the outside world exits with 3. */
export async function reportSourceErrors(io: CliIo, run: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    io.stderr(`mcc: error: ${error.message}\n`);
    if (error.hint !== undefined) io.stderr(`mcc: hint: ${error.hint}\n`);
    return EXIT.world;
  }
}
