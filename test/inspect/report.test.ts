// The HTML report's page, built purely: its data from an image read back, everything escaped,
// the same bytes for the same image. (test/integration/report.test.ts opens it in Chromium.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ImageFile } from "../../src/inspect/read-image.js";
import { escapeHtml, reportHtml, scriptJson } from "../../src/inspect/report/report-html.js";
import { reportData } from "../../src/inspect/report/report-data.js";
import { summarize } from "../../src/inspect/summarize.js";
import { buildProvenance } from "../../src/provenance/provenance.js";

const f = (path: string, size: number): ImageFile => ({ path, kind: "file", size, sha256: "ab".repeat(32), mode: 0o644 });
const files: ImageFile[] = [f("/usr/bin/hello", 300), f("/srv/</script><img src=x onerror=alert(1)>", 20), { path: "/usr/lib/libx.so", kind: "symlink", size: 0, target: "libx.so.1", mode: 0o777 }, f("/usr/lib/libx.so.1", 100)];
const doc = buildProvenance({
  image: { name: "hello", arch: "amd64", release: "bookworm", executable: "/usr/bin/hello", tool: "mcc-test", manifest: "sha256:aa", diffIds: ["sha256:bb"] },
  packages: [{ name: "hello", version: "1.0", arch: "amd64", deb: "pool/main/h/hello/hello_1.0_amd64.deb", sha256: "11" }],
  entries: [
    { kind: "file", path: "/usr/bin/hello", mode: 0o755, uid: 0, gid: 0, size: 300, source: { blob: "0" }, pkg: "hello" },
    { kind: "symlink", path: "/usr/lib/libx.so", target: "libx.so.1", uid: 0, gid: 0, pkg: "hello" },
    { kind: "file", path: "/usr/lib/libx.so.1", mode: 0o644, uid: 0, gid: 0, size: 100, source: { blob: "0" }, pkg: "hello" },
  ],
  reasons: new Map([
    ["/usr/bin/hello", [{ kind: "executable" as const }]],
    ["/usr/lib/libx.so", [{ kind: "symlink" as const, to: "/usr/lib/libx.so.1" }]],
    ["/usr/lib/libx.so.1", [{ kind: "needed" as const, by: "/usr/bin/hello", name: "libx.so.1" }]],
  ]),
  steps: [{ id: "s1", kind: "fetch", label: "fetch <hello>", inputs: [] }],
});
const input = (withProvenance: boolean) => {
  const owners = new Map(withProvenance ? doc.files.map((x) => [x.path, x.package]) : []);
  return { title: "hello <&>", format: "oci", arch: "amd64", files, summary: summarize(files, new Map(), owners), ...(withProvenance ? { provenance: doc } : {}) };
};

test("escaping: HTML text and attributes, and JSON inside a script element", () => {
  assert.is(escapeHtml(`<a href="x">&'`), "&#60;a href=&#34;x&#34;&#62;&#38;&#39;");
  const json = scriptJson({ s: "</script><!-- & \u2028" });
  assert.not.ok(/[<>&\u2028]/.test(json));
  assert.equal(JSON.parse(json), { s: "</script><!-- & \u2028" });
});

test("the page: no raw markup from names, no network reference, the same bytes twice", () => {
  const html = reportHtml(input(true));
  assert.ok(html === reportHtml(input(true)));
  assert.not.ok(html.includes("<img"));
  assert.not.ok(html.includes("</script><"));
  assert.ok(html.includes("<title>mcc inspect: hello &#60;&#38;&#62;</title>"));
  // Self-contained: no URL to load, and a policy that forbids any.
  assert.not.ok(/\b(src|href)=["']?(https?:)?\/\//.test(html));
  assert.ok(html.includes("default-src 'none'"));
  assert.is((html.match(/<script/g) ?? []).length, 2);
});

test("the data: files and links with their package, reasons interned, the chain; none without provenance", () => {
  const d = reportData(input(true));
  assert.equal(d.provenance?.executable, "/usr/bin/hello");
  assert.equal(d.steps?.map((s) => s.label), ["fetch <hello>"]);
  const link = d.entries.find((e) => e[0] === "/usr/lib/libx.so");
  assert.ok(link);
  assert.equal([link[4], link[5], link[7]], ["l", "libx.so.1", ["/usr/lib/libx.so.1", "/usr/bin/hello"]]);
  assert.equal(link[6].map((i) => d.texts[i]), ["a symlink on the way to /usr/lib/libx.so.1"]);
  assert.is(d.packages[link[2]]?.name, "hello");
  assert.is(d.packages.find((p) => p.name === "hello")?.deb, "pool/main/h/hello/hello_1.0_amd64.deb");
  assert.is(new Set(d.texts).size, d.texts.length);
  const bare = reportData(input(false));
  assert.is(bare.provenance, null);
  assert.is(bare.steps, null);
  assert.ok(bare.entries.every((e) => e[6].length === 0 && e[7].length === 0));
  assert.equal(bare.packages.map((p) => p.name), ["(unowned)"]);
});

test.run();
