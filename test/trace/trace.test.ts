// The tracer on ELF files compiled here with gcc: ld.so's search order (RPATH of the loading
// chain unless RUNPATH, LD_LIBRARY_PATH, RUNPATH, ld.so.conf, default directories), $ORIGIN,
// symlink chains, merged /usr, scripts, alternatives, and the diagnostics for what is missing.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createNodeHost } from "../../src/host/node-host.js";
import { createBlobStore, type BlobStore } from "../../src/cache/store.js";
import type { ManifestEntry, PackageManifest } from "../../src/extract/unpack.js";
import { readElf } from "../../src/trace/elf.js";
import { traceExecutable, type TraceResult } from "../../src/trace/trace.js";
import { VirtualRoot } from "../../src/trace/vroot.js";
import type { Spec } from "../../src/types/spec.js";
import { loadText, minimalSpec } from "../helpers.js";

interface Ctx {
  dir: string;
  store: BlobStore;
  bin: Record<string, Buffer>;
}
const test = suite<Ctx>("trace", {} as Ctx);

function gcc(dir: string, out: string, source: string, args: string[]): Buffer {
  const src = join(dir, `${out}.c`);
  writeFileSync(src, source);
  execFileSync("gcc", ["-o", join(dir, out), src, "-Wl,-rpath-link,.", "-Wl,--no-as-needed", ...args], { stdio: "pipe", cwd: dir });
  return readFileSync(join(dir, out));
}

test.before((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), "mcc-trace-"));
  ctx.store = createBlobStore(createNodeHost(), join(ctx.dir, "cache"));
  const d = ctx.dir;
  ctx.bin = {
    libb: gcc(d, "libb.so.1", "int b(void){return 2;}", ["-shared", "-fPIC", "-Wl,-soname,libb.so.1"]),
    liba: gcc(d, "liba.so.1", "int b(void); int a(void){return b();}", ["-shared", "-fPIC", "-Wl,-soname,liba.so.1", "-L.", "-l:libb.so.1"]),
    // RPATH (not RUNPATH): searched for the libraries its dependencies need too.
    rpath: gcc(d, "rpath", "int a(void); int main(void){return a();}", ["-L.", "-l:liba.so.1", "-Wl,--disable-new-dtags,-rpath,/opt/app/lib"]),
    // RUNPATH with $ORIGIN: only for its own DT_NEEDED.
    runpath: gcc(d, "runpath", "int a(void); int main(void){return a();}", ["-L.", "-l:liba.so.1", "-L.", "-l:libb.so.1", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib"]),
    plain: gcc(d, "plain", "int a(void); int main(void){return a();}", ["-L.", "-l:liba.so.1", "-L.", "-l:libb.so.1"]),
    iconv: gcc(d, "iconv", "#include <iconv.h>\nint main(void){return iconv_open(\"UTF-8\",\"LATIN1\")==0;}", []),
  };
});

test.after((ctx) => rmSync(ctx.dir, { recursive: true, force: true }));

async function file(ctx: Ctx, path: string, bytes: Buffer | string, mode = 0o755): Promise<ManifestEntry> {
  const data = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const { sha256, size } = await ctx.store.put((async function* () {
    yield data;
  })());
  return { kind: "file", path, mode, size, sha256 };
}

/** The host's libc, loader and libgcc as a "libc6" package, at bookworm's unmerged paths. */
async function libc(ctx: Ctx): Promise<PackageManifest> {
  const real = "/usr/lib/x86_64-linux-gnu";
  const entries: ManifestEntry[] = [
    await file(ctx, "/lib/x86_64-linux-gnu/libc.so.6", readFileSync(`${real}/libc.so.6`)),
    await file(ctx, "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", readFileSync(`${real}/ld-linux-x86-64.so.2`)),
    await file(ctx, "/lib/x86_64-linux-gnu/libnss_files.so.2", readFileSync(`${real}/libnss_files.so.2`)),
    await file(ctx, "/lib/x86_64-linux-gnu/libgcc_s.so.1", readFileSync(`${real}/libgcc_s.so.1`)),
    { kind: "symlink", path: "/lib64/ld-linux-x86-64.so.2", target: "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" },
    await file(ctx, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules", "module x y z 1\n", 0o644),
    await file(ctx, "/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", "not really\n", 0o644),
    await file(ctx, "/usr/lib/x86_64-linux-gnu/gconv/KOI8-R.so", "not really\n", 0o644),
  ];
  return { deb: "x", entries, control: {}, notes: [] };
}

async function trace(ctx: Ctx, spec: Spec, extra: ManifestEntry[], alternatives: Record<string, string> = {}): Promise<TraceResult> {
  const root = new VirtualRoot([
    { name: "libc6", manifest: await libc(ctx) },
    { name: "app", manifest: { deb: "y", entries: extra, control: {}, notes: [] } },
  ]);
  return traceExecutable({
    spec,
    arch: "amd64",
    root,
    packages: new Set(["libc6", "app"]),
    alternatives: new Map(Object.entries(alternatives)),
    readBlob: (sha) => ctx.store.read(sha),
    openBlob: (sha) => ctx.store.openRandom(sha),
  });
}

async function specOf(executable: string, extra = ""): Promise<Spec> {
  const loaded = await loadText(minimalSpec(extra).replace("/usr/bin/hello", executable));
  assert.ok(loaded.spec, JSON.stringify(loaded.diagnostics));
  return loaded.spec;
}

const reasonOf = (t: TraceResult, path: string) => t.kept.get(path)?.reasons.map((r) => JSON.stringify(r));

test("the ELF reader sees what readelf sees", (ctx) => {
  const elf = readElf(ctx.bin["runpath"] as Buffer);
  assert.is(elf.class, 64);
  assert.is(elf.interpreter, "/lib64/ld-linux-x86-64.so.2");
  assert.equal(elf.needed.filter((n) => n.startsWith("lib")).slice(0, 2), ["liba.so.1", "libb.so.1"]);
  assert.equal(elf.runpath, ["$ORIGIN/../lib"]);
  assert.equal(elf.rpath, []);
  assert.equal(readElf(ctx.bin["rpath"] as Buffer).rpath, ["/opt/app/lib"]);
  assert.is(readElf(ctx.bin["liba"] as Buffer).soname, "liba.so.1");
  assert.ok(readElf(ctx.bin["iconv"] as Buffer).imports.has("iconv_open"));
  if (spawnSync("readelf", ["--version"]).status === 0) {
    const out = execFileSync("readelf", ["-d", join(ctx.dir, "runpath")], { encoding: "utf8" });
    for (const n of elf.needed) assert.ok(out.includes(`[${n}]`), n);
  }
});

test("RPATH is searched for the executable's dependencies too; the default directories after", async (ctx) => {
  const t = await trace(ctx, await specOf("/opt/app/bin/app"), [
    await file(ctx, "/opt/app/bin/app", ctx.bin["rpath"] as Buffer),
    await file(ctx, "/opt/app/lib/liba.so.1", ctx.bin["liba"] as Buffer),
    await file(ctx, "/opt/app/lib/libb.so.1", ctx.bin["libb"] as Buffer),
    await file(ctx, "/usr/lib/x86_64-linux-gnu/libb.so.1", ctx.bin["libb"] as Buffer),
  ]);
  assert.equal(t.problems, []);
  assert.ok(t.kept.has("/opt/app/lib/liba.so.1"));
  // liba has no RPATH of its own: the executable's RPATH finds libb first.
  assert.ok(t.kept.has("/opt/app/lib/libb.so.1"));
  assert.not.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/libb.so.1"));
  // Bookworm's /lib paths land under /usr; the loader is kept through its /lib64 link.
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/libc.so.6"));
  assert.ok(t.kept.has("/usr/lib64/ld-linux-x86-64.so.2"));
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
});

test("RUNPATH with $ORIGIN; LD_LIBRARY_PATH from the spec comes before it", async (ctx) => {
  const entries = [
    await file(ctx, "/app/bin/app", ctx.bin["runpath"] as Buffer),
    await file(ctx, "/app/lib/liba.so.1", ctx.bin["liba"] as Buffer),
    await file(ctx, "/app/lib/libb.so.1", ctx.bin["libb"] as Buffer),
    await file(ctx, "/other/libb.so.1", ctx.bin["libb"] as Buffer),
  ];
  const t = await trace(ctx, await specOf("/app/bin/app"), entries);
  assert.equal(t.problems, []);
  assert.ok(t.kept.has("/app/lib/liba.so.1") && t.kept.has("/app/lib/libb.so.1"));
  const withEnv = await trace(ctx, await specOf("/app/bin/app", "env: {LD_LIBRARY_PATH: /other}\n"), entries);
  assert.ok(withEnv.kept.has("/other/libb.so.1"));
  assert.not.ok(withEnv.kept.has("/app/lib/libb.so.1"));
});

test("ld.so.conf.d directories are searched; symlink chains are kept", async (ctx) => {
  const t = await trace(ctx, await specOf("/usr/bin/app"), [
    await file(ctx, "/usr/bin/app", ctx.bin["plain"] as Buffer),
    await file(ctx, "/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n", 0o644),
    await file(ctx, "/etc/ld.so.conf.d/app.conf", "# ours\n/opt/libs\n", 0o644),
    await file(ctx, "/opt/libs/liba.so.1.0.0", ctx.bin["liba"] as Buffer),
    { kind: "symlink", path: "/opt/libs/liba.so.1", target: "liba.so.1.0.0" },
    await file(ctx, "/lib/x86_64-linux-gnu/libb.so.1", ctx.bin["libb"] as Buffer),
  ]);
  assert.equal(t.problems, []);
  assert.ok(t.kept.get("/opt/libs/liba.so.1")?.node.kind === "symlink");
  assert.ok(t.kept.has("/opt/libs/liba.so.1.0.0"));
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/libb.so.1"));
});

test("a missing library and a missing executable are named, with suggestions", async (ctx) => {
  const t = await trace(ctx, await specOf("/usr/bin/app"), [await file(ctx, "/usr/bin/app", ctx.bin["plain"] as Buffer)]);
  assert.equal(
    t.problems.map((p) => (p.kind === "library-missing" ? `${p.name} by ${p.by}` : p.kind)),
    ["liba.so.1 by /usr/bin/app", "libb.so.1 by /usr/bin/app"],
  );
  const m = await trace(ctx, await specOf("/usr/bin/ap"), [await file(ctx, "/usr/bin/app", ctx.bin["plain"] as Buffer)]);
  assert.equal(m.problems, [{ kind: "executable-missing", path: "/usr/bin/ap", suggestions: ["/usr/bin/app"] }]);
});

test("scripts bring their interpreter, through an alternative when that is how it is named", async (ctx) => {
  const t = await trace(
    ctx,
    await specOf("/usr/bin/tool"),
    [await file(ctx, "/usr/bin/tool", "#!/usr/bin/awk -f\nBEGIN{}\n"), await file(ctx, "/usr/bin/mawk", ctx.bin["plain"] as Buffer), await file(ctx, "/usr/lib/x86_64-linux-gnu/liba.so.1", ctx.bin["liba"] as Buffer), await file(ctx, "/usr/lib/x86_64-linux-gnu/libb.so.1", ctx.bin["libb"] as Buffer)],
    { "/usr/bin/awk": "/usr/bin/mawk" },
  );
  assert.equal(t.problems, []);
  assert.equal(reasonOf(t, "/usr/bin/mawk"), [JSON.stringify({ kind: "shebang", by: "/usr/bin/tool" })]);
  const link = t.generated.get("/usr/bin/awk");
  assert.ok(link?.kind === "symlink" && link.target === "/usr/bin/mawk");
});

test("a library that exists only as an update-alternatives link (libblas.so.3) is found through it, searched in /lib or /usr/lib", async (ctx) => {
  const t = await trace(
    ctx,
    await specOf("/usr/bin/plain"),
    [
      await file(ctx, "/usr/bin/plain", ctx.bin["plain"] as Buffer),
      await file(ctx, "/usr/lib/x86_64-linux-gnu/alt/liba.so.1.0", ctx.bin["liba"] as Buffer),
      { kind: "symlink", path: "/usr/lib/x86_64-linux-gnu/alt/liba.so.1", target: "liba.so.1.0" },
      await file(ctx, "/usr/lib/x86_64-linux-gnu/libb.so.1", ctx.bin["libb"] as Buffer),
    ],
    { "/usr/lib/x86_64-linux-gnu/liba.so.1": "/usr/lib/x86_64-linux-gnu/alt/liba.so.1" },
  );
  assert.equal(t.problems, []);
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/alt/liba.so.1.0"));
  const link = t.generated.get("/usr/lib/x86_64-linux-gnu/liba.so.1");
  assert.ok(link?.kind === "symlink" && link.target === "/usr/lib/x86_64-linux-gnu/alt/liba.so.1.0", JSON.stringify(link));
  assert.equal(link.reason, { kind: "alternative", name: "/usr/lib/x86_64-linux-gnu/liba.so.1", by: "/usr/bin/plain" });
});

test("rules: NSS and libgcc_s with libc; gconv configuration and Unicode modules with iconv_open; users", async (ctx) => {
  const t = await trace(ctx, await specOf("/usr/bin/conv", "user: {name: app, uid: 1000}\n"), [await file(ctx, "/usr/bin/conv", ctx.bin["iconv"] as Buffer)]);
  assert.equal(t.problems, []);
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/libnss_files.so.2"));
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/libgcc_s.so.1"));
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules"));
  assert.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so"));
  assert.not.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/gconv/KOI8-R.so"));
  const passwd = t.generated.get("/etc/passwd");
  assert.ok(passwd?.kind === "file");
  assert.is(new TextDecoder().decode(passwd.content), "root:x:0:0:root:/root:/sbin/nologin\napp:x:1000:1000:app:/write:/sbin/nologin\n");
  assert.ok(t.generated.has("/etc/nsswitch.conf"));
  assert.ok(t.generated.has("/usr/lib/os-release"));
});

test("exclude wins over tracing and rules; include keeps and traces", async (ctx) => {
  const t = await trace(ctx, await specOf("/usr/bin/app", "exclude: [/usr/lib/x86_64-linux-gnu/libgcc_s.so.1]\ninclude: [/opt/plugins/*]\n"), [
    await file(ctx, "/usr/bin/app", ctx.bin["iconv"] as Buffer),
    await file(ctx, "/opt/plugins/p.so", ctx.bin["liba"] as Buffer),
    await file(ctx, "/usr/lib/x86_64-linux-gnu/libb.so.1", ctx.bin["libb"] as Buffer),
  ]);
  assert.not.ok(t.kept.has("/usr/lib/x86_64-linux-gnu/libgcc_s.so.1"));
  assert.ok(t.kept.has("/opt/plugins/p.so"));
  assert.equal(reasonOf(t, "/usr/lib/x86_64-linux-gnu/libb.so.1"), [JSON.stringify({ kind: "needed", by: "/opt/plugins/p.so", name: "libb.so.1" })]);
});

test.run();
