// read-image keeps the dpkg records' text as the layers leave them: a Dockerfile's later
// `apt-get purge` (the package's .list whited out, status rewritten) takes the package away.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readImage } from "../../src/inspect/read-image.js";
import { summarize } from "../../src/inspect/summarize.js";
import { fullRecords, type FixturePackage } from "../support/dpkg-fixture.js";
import { writeFixtureLayout, type FixtureEntry } from "../support/image-fixture.js";

const work = mkdtempSync(join(tmpdir(), "mcc-read-records-"));
const curl: FixturePackage = { name: "curl", version: "7.88.1-10+deb12u8", paths: ["/usr/bin/curl"] };
const libc: FixturePackage = { name: "libc6", version: "2.36-9+deb12u9", listName: "libc6:amd64", paths: ["/lib/x86_64-linux-gnu/libc.so.6"] };
const records = (packages: FixturePackage[]): FixtureEntry[] => [...fullRecords(packages)].map(([path, content]) => ({ path, content }));

test("a full image in two layers: the second purges curl, so its list and its package are gone", async () => {
  const base: FixtureEntry[] = [
    { path: "/bin", link: "usr/bin" },
    { path: "/usr/bin/curl", content: "curl".repeat(100) },
    { path: "/usr/lib/x86_64-linux-gnu/libc.so.6", content: "libc".repeat(500) },
    ...records([curl, libc]),
  ];
  const purge: FixtureEntry[] = [
    { path: "/usr/bin/.wh.curl", content: "" },
    { path: "/var/lib/dpkg/info/.wh.curl.list", content: "" },
    { path: "/var/lib/dpkg/status", content: fullRecords([libc]).get("/var/lib/dpkg/status") ?? "" },
  ];
  const dir = join(work, "layout");
  await writeFixtureLayout(dir, "v1", [base], {});
  const one = await readImage(dir);
  assert.equal([...one.texts.keys()].sort(), ["/var/lib/dpkg/info/curl.list", "/var/lib/dpkg/info/libc6:amd64.list", "/var/lib/dpkg/status"]);
  assert.equal(summarize(one.files, one.texts).packages.filter((g) => !g.name.startsWith("(")).map((g) => `${g.name} ${g.version} ${g.bytes}`), ["libc6 2.36-9+deb12u9 2000", "curl 7.88.1-10+deb12u8 400"]);
  const purged = join(work, "purged");
  await writeFixtureLayout(purged, "v1", [base, purge], {});
  const two = await readImage(purged);
  assert.equal([...two.texts.keys()].sort(), ["/var/lib/dpkg/info/libc6:amd64.list", "/var/lib/dpkg/status"]);
  const s = summarize(two.files, two.texts);
  assert.equal(s.packageList.map((p) => p.name), ["libc6"]);
  assert.equal(s.packages.filter((g) => !g.name.startsWith("(")).map((g) => g.name), ["libc6"]);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test.run();
