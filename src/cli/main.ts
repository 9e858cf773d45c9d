#!/bin/sh
// 2>/dev/null; exec node --max-semi-space-size=1 "$0" "$@"
// Run as a command (`npx mcc`, `mcc`), this file is first a shell script: line two is a comment
// to JavaScript and, to sh, a failed command (silenced) and then node started with this file.
// The flag keeps V8's young generation at 1 MiB per half instead of letting it grow to 16: a
// build's short-lived objects are collected sooner, which measured about 50 MB less peak memory
// for a cold build at the same speed (docs/performance.md). `node main.js` runs it without.
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
