#!/bin/sh
// 2>/dev/null; MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-524288} exec node --max-semi-space-size=1 "$0" "$@"
// Run as a command (`npx mcc`, `mcc`), this file is first a shell script: line two is a comment
// to JavaScript and, to sh, a failed command (silenced), then node started with this file and
// settings that keep a build's memory down at the same speed (docs/performance.md): V8's young
// generation at 1 MiB per half instead of growing to 16, so short-lived objects are collected
// sooner; and, for glibc's malloc, two arenas instead of eight per core, and buffers from 512
// KiB up (decompressed members, catalogs, files read whole) mapped apart and returned to the
// system when freed, not kept in the arena. A value already in the environment wins; other C
// libraries ignore these. `node main.js` runs mcc without any of them.
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
