// The examples that are programs of one's own hold their source, not their binary: the test
// command builds each with gcc, as the example's comment tells a user to, before a test reads
// the example (the binary is ignored by git).
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";
import { needTools } from "./tools.js";

/** Each compiled example: its binary, its source and the libraries it links. */
const PROGRAMS = [{ binary: "fetch/fetch", source: "fetch/fetch.c", libraries: ["-lcurl", "-lz"], headers: ["/usr/include/x86_64-linux-gnu/curl/curl.h", "/usr/include/zlib.h"] }];

/** Builds the examples' programs that are missing or older than their source. */
export function buildExamplePrograms(): void {
  for (const p of PROGRAMS) {
    const binary = join(repoRoot, "examples", p.binary);
    const source = join(repoRoot, "examples", p.source);
    if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) continue;
    needTools("gcc", ...p.headers);
    execFileSync("gcc", ["-O2", "-o", binary, source, ...p.libraries], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  }
}
