// `mcc compile` as a terminal and a tool see it, on the in-memory host: on a terminal the
// resolving phase shows a progress line that is cleared before anything else is said, and
// nothing is left on an unfinished line; with --json every event (the indexes fetched,
// warnings, the output) is a JSON line on stdout, and a failure's diagnostics too.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runMain } from "../../src/cli/program.js";
import { createMemoryHost } from "../../src/host/memory-host.js";
import { buildElf, EM } from "../support/elf.js";
import { captureIo } from "../support/io.js";
import { createMemoryArchive, MEMORY_LD, memoryLibc6, type MemoryArchive } from "../support/memory-archive.js";

let shared: MemoryArchive | undefined;
async function archive(): Promise<MemoryArchive> {
  shared ??= await createMemoryArchive([
    memoryLibc6(),
    { name: "hello", version: "1.0-1", depends: "libc6 (>= 2.34)", files: { "/usr/bin/hello": buildElf({ is64: true, le: true, machine: EM.x86_64, interp: MEMORY_LD, needed: ["libc.so.6"] }) } },
  ]);
  return shared;
}

async function mcc(extra: string[], args: string[], tty: boolean) {
  const arch = await archive();
  const spec = ["name: hello", "from:", "  release: testrel", `  mirror: ${arch.url}`, "  keyring: archive.gpg", "packages: [hello]", "executable: /usr/bin/hello", ...extra, ""].join("\n");
  const host = createMemoryHost({ "/work/app/spec.yml": spec, "/work/app/archive.gpg": arch.keyring }, { web: arch.web });
  const { io, out } = captureIo({ host, tty });
  const code = await runMain(["compile", "/work/app/spec.yml", "--cache", "/cache", ...args], { ...io, cwd: "/work/app" });
  return { code, ...out };
}

test("on a terminal, resolving shows what it fetches, and its line is cleared before the lock note; no line is left unfinished", async () => {
  const r = await mcc([], [], true);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /\r\x1b\[Kresolving: fetched dists\/testrel\/InRelease \([0-9.]+ [KM]?i?B\)/);
  assert.match(r.stderr, /\r\x1b\[Kmcc: note: wrote \/work\/app\/spec\.lock\.json; commit it to pin the package set\n/);
  assert.ok(r.stderr.endsWith("\n"), "the last line is finished");
  const lastLine = r.stderr.slice(r.stderr.lastIndexOf("\r") + 1);
  assert.not.match(lastLine, /resolving/);
});

test("--json: the indexes fetched, a warning and the output are JSON lines; a failure's diagnostics too", async () => {
  const built = await mcc(["include: [/usr/share/nothing/**]"], ["--json"], false);
  assert.is(built.code, 0, built.stderr);
  const events = built.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; code?: string; severity?: string; line?: number });
  assert.ok(events.some((e) => e.event === "index"));
  assert.ok(events.some((e) => e.event === "lock"));
  assert.equal(events.filter((e) => e.event === "diagnostic").map((e) => [e.code, e.severity, e.line]), [["MCC504", "warning", 8]]);
  assert.is(events[events.length - 1]?.event, "output");
  const failed = await mcc(["exclude: [/usr/lib/x86_64-linux-gnu/libc.so.6]"], ["--json"], false);
  assert.is(failed.code, 1);
  const diagnostics = failed.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; code?: string }).filter((e) => e.event === "diagnostic");
  assert.equal(diagnostics.map((d) => d.code), ["MCC506"]);
  assert.is(failed.stderr, "");
});

test.run();
