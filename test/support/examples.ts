// The examples that are programs or packages of one's own hold their source, not what is built
// from it: the test command builds each (gcc, dpkg-deb), as the example's comment tells a user
// to, before a test reads the example (what is built is ignored by git).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";
import { needTools } from "./tools.js";

/** Each compiled example: its binary, its source and the libraries it links. */
const PROGRAMS = [{ binary: "fetch/fetch", source: "fetch/fetch.c", libraries: ["-lcurl", "-lz"], headers: ["/usr/include/x86_64-linux-gnu/curl/curl.h", "/usr/include/zlib.h"] }];

/** Each example package: the tree dpkg-deb builds it from, and the .deb the spec names. */
const PACKAGES = [{ tree: "greeting/pkg", deb: "greeting/greeting_1.0-1_all.deb" }];

/** Builds the examples' programs and packages that are missing or older than their source. */
export function buildExamplePrograms(): void {
  for (const p of PACKAGES) {
    const deb = join(repoRoot, "examples", p.deb);
    const tree = join(repoRoot, "examples", p.tree);
    const newest = Math.max(...walk(tree).map((f) => statSync(f).mtimeMs));
    if (existsSync(deb) && statSync(deb).mtimeMs >= newest) continue;
    needTools("dpkg-deb");
    execFileSync("dpkg-deb", ["--root-owner-group", "--build", tree, deb], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  }
  for (const p of PROGRAMS) {
    const binary = join(repoRoot, "examples", p.binary);
    const source = join(repoRoot, "examples", p.source);
    if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) continue;
    needTools("gcc", ...p.headers);
    execFileSync("gcc", ["-O2", "-o", binary, source, ...p.libraries], { stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
