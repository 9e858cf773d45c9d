#!/usr/bin/env node
import { createNodeHost } from "../host/node-host.js";
import type { Arch } from "../types/spec.js";
import { EXIT } from "./exit-codes.js";
import { runCli, VERSION } from "./program.js";

/** The only file that touches `process`: argv, streams, environment and the exit code. */
const env = process.env;
const stderrIsTty = process.stderr.isTTY === true;
const color = env["NO_COLOR"] === undefined && (env["FORCE_COLOR"] !== undefined ? env["FORCE_COLOR"] !== "0" : stderrIsTty);
const hostArch: Arch = process.arch === "arm64" ? "arm64" : "amd64";

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    host: createNodeHost(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty,
    color,
    hostArch,
    env,
  });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `mcc: internal error: ${message}\n` +
      `This is a bug in mcc ${VERSION}. Please report it with the command you ran` +
      (env["MCC_DEBUG"] ? ".\n" : " and its output with MCC_DEBUG=1 set (which adds the stack trace).\n"),
  );
  if (env["MCC_DEBUG"] && error instanceof Error && error.stack !== undefined) process.stderr.write(error.stack + "\n");
  process.exitCode = EXIT.internal;
}
