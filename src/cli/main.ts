#!/usr/bin/env node
import { createNodeHost } from "../host/node-host.js";
import type { Arch } from "../types/spec.js";
import { runMain } from "./program.js";

// The only file that touches `process`: argv, streams, environment and the exit code.
const env = process.env;
const stderrIsTty = process.stderr.isTTY === true;
const color = env["NO_COLOR"] === undefined && (env["FORCE_COLOR"] !== undefined ? env["FORCE_COLOR"] !== "0" : stderrIsTty);
const hostArch: Arch = process.arch === "arm64" ? "arm64" : "amd64";
// A reader that stops early (`mcc inspect IMAGE | head`) is not an error of mcc's.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await runMain(process.argv.slice(2), {
  host: createNodeHost(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty,
  color,
  hostArch,
  cwd: process.cwd(),
  isRoot: process.getuid?.() === 0,
  env,
});
