// `mcc inspect --html` in a real browser: Debian's headless Chromium, driven by playwright-core,
// opens the report of an image the integration tests build (curl from the shared cache) and of
// images without provenance, over file://. No console error, no request but the file itself;
// the treemap's areas match inspect's sizes; a click shows a file's provenance.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { repoRoot } from "../helpers.js";
import { launchChromium } from "../support/chromium.js";
import { sharedTestCache } from "../support/io.js";
import { decodePng, distinctColours } from "../support/png.js";
import { needTools } from "../support/tools.js";

const work = mkdtempSync(join(tmpdir(), "mcc-report-"));
const bin = join(repoRoot, "dist", "cli", "main.js");
const mcc = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, MCC_CACHE: sharedTestCache } });

interface Inspected {
  bytes: number;
  packages: { name: string; version?: string; bytes: number }[];
  provenance: { plan: { steps: { kind: string }[] } } | null;
  entries: { path: string; kind: string; size: number; sha256?: string; package?: string; reasons?: { kind: string; text: string }[] }[];
}

let browser: { context: BrowserContext; close: () => Promise<void> } | undefined;

/** Opens a report; what the page logged as errors and every URL it requested. */
async function open(html: string): Promise<{ page: Page; errors: string[]; requests: string[]; url: string }> {
  needTools("chromium");
  browser ??= await launchChromium();
  const page = await browser.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("request", (r) => requests.push(r.url()));
  const url = pathToFileURL(html).href;
  await page.goto(url, { waitUntil: "load" });
  return { page, errors, requests, url };
}

function compileCurl(): { layout: string; inspected: Inspected; html: string } {
  const layout = join(work, "curl");
  const r = mcc(["compile", join(repoRoot, "examples", "curl.yml"), "--arch", "amd64", "--format", "oci", "-o", layout, "-q"]);
  assert.is(r.status, 0, r.stderr);
  const j = mcc(["inspect", layout, "--json"]);
  assert.is(j.status, 0, j.stderr);
  const html = join(work, "curl.html");
  const h = mcc(["inspect", layout, "--html", html]);
  assert.is(h.status, 0, h.stderr);
  return { layout, inspected: JSON.parse(j.stdout) as Inspected, html };
}

test("curl's report: no errors, no network, treemap areas match inspect's sizes, a click shows libc.so.6's provenance", async () => {
  const { inspected, html } = compileCurl();
  const { page, errors, requests, url } = await open(html);
  // The top packages each have a group whose area is its share of the image.
  const top = inspected.packages.slice(0, 6);
  const map = await page.locator("#treemap").boundingBox();
  assert.ok(map);
  for (const p of top) {
    const group = page.locator(`#treemap g[data-group="${p.name}"]`);
    assert.is(await group.getAttribute("data-bytes"), String(p.bytes), p.name);
    const box = await group.locator("rect.frame").boundingBox();
    assert.ok(box, p.name);
    const share = (box.width * box.height) / (map.width * map.height);
    assert.ok(Math.abs(share - p.bytes / inspected.bytes) < 0.01, `${p.name}: area ${share.toFixed(3)} of the map, ${(p.bytes / inspected.bytes).toFixed(3)} of the bytes`);
  }
  // A click on libc.so.6 shows why it is there, its package and its digest.
  const libc = inspected.entries.find((e) => e.path === "/usr/lib/x86_64-linux-gnu/libc.so.6");
  assert.ok(libc?.sha256);
  assert.is(libc.reasons?.[0]?.text, "libc.so.6, needed (DT_NEEDED) by /usr/bin/curl");
  // Hovering shows a tooltip with the path, the size and the first reason.
  await page.locator('#treemap rect[data-path="/usr/lib/x86_64-linux-gnu/libc.so.6"]').hover();
  assert.ok(await page.locator("#tip").isVisible());
  assert.is(await page.locator("#tip").textContent(), `/usr/lib/x86_64-linux-gnu/libc.so.6\n${(libc.size / 1048576).toFixed(1)} MiB · libc6\nlibc.so.6, needed (DT_NEEDED) by /usr/bin/curl`);
  await page.locator('#treemap rect[data-path="/usr/lib/x86_64-linux-gnu/libc.so.6"]').click();
  const panel = page.locator("#panel");
  const text = (await panel.textContent()) ?? "";
  assert.ok(text.includes("libc.so.6, needed (DT_NEEDED) by /usr/bin/curl"), text);
  assert.ok(text.includes(`libc6 ${inspected.packages.find((p) => p.name === "libc6")?.version}`), text);
  assert.ok(text.includes(libc.sha256), text);
  assert.ok(text.includes("the spec's executable"), "the chain ends at the executable");
  assert.is(await page.locator("#treemap rect.selected").getAttribute("data-path"), "/usr/lib/x86_64-linux-gnu/libc.so.6");
  // A link, found by name: its chain runs through the library it leads to.
  await page.locator("#search").fill("libcurl.so.4");
  await page.locator("#panel a", { hasText: /^\/usr\/lib\/x86_64-linux-gnu\/libcurl\.so\.4$/ }).click();
  const chain = await page.locator("#panel ol li > :first-child").allTextContents();
  assert.equal(chain, ["/usr/lib/x86_64-linux-gnu/libcurl.so.4", "/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0", "/usr/bin/curl"]);
  // A heading zooms into its package: only its files are drawn.
  await page.locator('#treemap rect.head[data-zoom="libssl3"]').click();
  const zoomed = await page.locator("#treemap rect[data-path]").evaluateAll((rs) => rs.map((r) => r.getAttribute("data-path")));
  assert.equal(zoomed.sort(), inspected.entries.filter((e) => e.kind === "file" && e.package === "libssl3" && e.size > 0).map((e) => e.path).sort());
  // By directory: groups are directories.
  await page.locator("#by-directory").click();
  const dirs = await page.locator("#treemap g[data-group]").evaluateAll((gs) => gs.map((g) => g.getAttribute("data-group") ?? ""));
  assert.ok(dirs.length > 0 && dirs.every((d) => d.startsWith("/")), dirs.join(" "));
  // The plan graph: a node per recorded step.
  assert.is(await page.locator("#plan-box .node").count(), inspected.provenance?.plan.steps.length);
  for (const kind of ["fetch", "unpack", "tree", "layer", "config", "manifest", "sbom"]) assert.ok((await page.locator(`#plan-box .node[data-kind="${kind}"]`).count()) > 0, kind);
  // A screenshot someone would look at: a real picture, not a blank page.
  await page.locator("#by-package").click();
  await page.locator('#treemap rect[data-path="/usr/lib/x86_64-linux-gnu/libc.so.6"]').click();
  const shot = join(work, "curl-report.png");
  await page.screenshot({ path: shot, fullPage: true });
  const png = decodePng(readFileSync(shot));
  assert.ok(png.width >= 1400 && png.height > 1000, `${png.width}x${png.height}`);
  assert.ok(distinctColours(png) > 200, `${distinctColours(png)} colours`);
  if (process.env["MCC_KEEP_SCREENSHOT"] !== undefined) writeFileSync(process.env["MCC_KEEP_SCREENSHOT"], readFileSync(shot));
  assert.equal(errors, []);
  assert.equal([...new Set(requests)], [url]);
  await page.close();
});

test("the report is the same bytes again, and inspect --json lists each file's reasons", () => {
  const html = join(work, "curl-again.html");
  assert.is(mcc(["inspect", join(work, "curl"), "--html", html]).status, 0);
  assert.ok(readFileSync(html).equals(readFileSync(join(work, "curl.html"))));
  const text = mcc(["inspect", join(work, "curl"), "--files"]).stdout;
  assert.match(text, /^provenance: mcc-/m);
  assert.match(text, /\/usr\/lib\/x86_64-linux-gnu\/libc\.so\.6 {2}\(libc\.so\.6, needed \(DT_NEEDED\) by \/usr\/bin\/curl\)$/m);
  assert.match(text, /^ +why: \/usr\/lib\/x86_64-linux-gnu\/libcurl\.so\.4\.8\.0: libcurl\.so\.4, needed \(DT_NEEDED\) by \/usr\/bin\/curl$/m);
});

test("a rootfs without provenance: treemap by package from its dpkg records, the plan section says it is absent", async () => {
  const rootfs = join(work, "bb.rootfs");
  const r = mcc(["compile", join(repoRoot, "examples", "busybox.yml"), "--arch", "amd64", "--format", "rootfs", "-o", rootfs, "-q"]);
  assert.is(r.status, 0, r.stderr);
  rmSync(`${rootfs}.provenance.json`);
  const html = join(work, "bb.html");
  const h = mcc(["inspect", rootfs, "--html", html]);
  assert.is(h.status, 0, h.stderr);
  assert.match(h.stdout, /the image carries no provenance/);
  const { page, errors, requests, url } = await open(html);
  assert.is(await page.locator('#treemap g[data-group="busybox-static"]').count(), 1);
  assert.match((await page.locator("#plan-box").textContent()) ?? "", /No build plan: the image carries no mcc provenance/);
  await page.locator('#treemap rect[data-path="/usr/bin/busybox"]').click();
  assert.match((await page.locator("#panel").textContent()) ?? "", /busybox-static .*No provenance/);
  assert.equal(errors, []);
  assert.equal([...new Set(requests)], [url]);
  await page.close();
});

test("file names that look like markup stay text", async () => {
  const root = join(work, "odd.rootfs");
  // A directory named `<` makes the path `/srv/</script>...`.
  mkdirSync(join(root, "srv", "<"), { recursive: true });
  const names = ["<img src=x onerror=alert(1)>.txt", "</script><b>bold<", "a&amp;b \"quoted\" 'single'"];
  for (const [i, n] of names.entries()) writeFileSync(join(root, "srv", n), "x".repeat(1000 * (i + 1)));
  const html = join(work, "odd.html");
  assert.is(mcc(["inspect", root, "--html", html]).status, 0);
  const source = readFileSync(html, "utf8");
  assert.not.ok(source.includes("<img") || source.includes("<b>") || source.includes("</script><"), "no raw markup from file names");
  const { page, errors } = await open(html);
  assert.is(await page.locator("img, b").count(), 0);
  const paths = await page.locator("#treemap rect[data-path]").evaluateAll((rs) => rs.map((r) => r.getAttribute("data-path")));
  assert.equal(paths.sort(), names.map((n) => `/srv/${n}`).sort());
  await page.locator("#search").fill("<img");
  await page.locator("#panel a", { hasText: "<img src=x" }).click();
  assert.ok(((await page.locator("#panel").textContent()) ?? "").includes("/srv/<img src=x onerror=alert(1)>.txt"));
  assert.equal(errors, []);
  await page.close();
});

test("python3 (hundreds of files, thousands of entries): the report draws every sizeable file without an error", async () => {
  const layout = join(work, "python3");
  const r = mcc(["compile", join(repoRoot, "examples", "python3.yml"), "--arch", "amd64", "--format", "oci", "-o", layout, "-q"]);
  assert.is(r.status, 0, r.stderr);
  const html = join(work, "python3.html");
  assert.is(mcc(["inspect", layout, "--html", html]).status, 0);
  const inspected = JSON.parse(mcc(["inspect", layout, "--json"]).stdout) as Inspected;
  const files = inspected.entries.filter((e) => e.kind === "file" && e.size > 0).length;
  assert.ok(files > 500, `${files} files`);
  const { page, errors } = await open(html);
  const drawn = await page.locator("#treemap rect[data-path]").count();
  // Files smaller than half a pixel either way are left out of the drawing, not of the data.
  assert.ok(drawn > files * 0.5 && drawn <= files, `${drawn} of ${files} drawn`);
  await page.locator("#search").fill("/usr/lib/python3.13/json/decoder.py");
  await page.locator("#panel a", { hasText: "/usr/lib/python3.13/json/decoder.py" }).click();
  assert.ok(((await page.locator("#panel").textContent()) ?? "").includes("the spec's include glob /usr/lib/python3.13/**"));
  assert.equal(errors, []);
  await page.close();
});

test.after(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

test.run();
