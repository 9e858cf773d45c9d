import { specSchema } from "../../schema/spec-schema.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

/** `mcc schema`: the spec's JSON Schema, for editors and other tools. */
export function schemaCommand(io: CliIo): ExitCode {
  io.stdout(JSON.stringify(specSchema, null, 2) + "\n");
  return EXIT.ok;
}
