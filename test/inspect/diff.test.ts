// diff between images: packages dropped (with what each saved), kept (what each keeps) and
// added, each entry with its owner; and the text a person reads.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diffText } from "../../src/cli/commands/diff-text.js";
import { diffImages } from "../../src/inspect/diff-images.js";
import type { ImageFile } from "../../src/inspect/read-image.js";
import { distrolessRecords, fullRecords, type FixturePackage } from "../support/dpkg-fixture.js";

const file = (path: string, size: number, sha = path): ImageFile => ({ path, kind: "file", size, sha256: sha, mode: 0o644 });
const dir = (path: string): ImageFile => ({ path, kind: "directory", size: 0, mode: 0o755 });

const curl: FixturePackage = { name: "curl", version: "7.88.1-10+deb12u8", paths: ["/usr/bin/curl", "/usr/share/doc/curl/copyright", "/usr/share/man/man1/curl.1.gz"] };
const libc: FixturePackage = { name: "libc6", version: "2.36-9+deb12u9", listName: "libc6:amd64", paths: ["/lib/x86_64-linux-gnu/libc.so.6"] };
const bash: FixturePackage = { name: "bash", version: "5.2.15-2+b7", paths: ["/bin/bash", "/usr/share/doc/bash/copyright"] };

/** A full image (status + lists) and what minify makes of it (status.d, bash gone, curl's man page gone). */
function images() {
  const fullTexts = fullRecords([bash, curl, libc]);
  const full = [
    file("/usr/bin/bash", 1_000_000),
    file("/usr/share/doc/bash/copyright", 100),
    dir("/usr/share/doc/bash"),
    file("/usr/bin/curl", 300_000),
    file("/usr/share/doc/curl/copyright", 50),
    file("/usr/share/man/man1/curl.1.gz", 20_000),
    file("/usr/lib/x86_64-linux-gnu/libc.so.6", 2_000_000),
    file("/etc/ld.so.cache", 9_000),
    ...[...fullTexts].map(([path, text]) => file(path, text.length)),
  ];
  const minTexts = distrolessRecords([{ ...curl, paths: ["/usr/bin/curl", "/usr/share/doc/curl/copyright"] }, libc]);
  const min = [
    file("/usr/bin/curl", 300_000),
    file("/usr/share/doc/curl/copyright", 50),
    file("/usr/lib/x86_64-linux-gnu/libc.so.6", 2_000_000),
    file("/etc/passwd", 30),
    ...[...minTexts].map(([path, text]) => file(path, text.length)),
  ];
  return { a: { files: full, texts: fullTexts }, b: { files: min, texts: minTexts, knownOwners: new Map([["/etc/passwd", "(mcc)"]]) } };
}

test("full -> minified: bash removed with what it saved, curl and libc6 kept with what each keeps", () => {
  const { a, b } = images();
  const d = diffImages(a, b);
  assert.equal(d.packages.removed, [{ name: "bash", version: "5.2.15-2+b7", arch: "amd64", files: 2, bytes: 1_000_100 }]);
  assert.equal(d.packages.added, []);
  assert.equal(d.packages.changed, []);
  assert.equal(d.packages.kept, [
    { name: "curl", version: "7.88.1-10+deb12u8", before: { files: 3, bytes: 320_050 }, after: { files: 2, bytes: 300_050 } },
    { name: "libc6", version: "2.36-9+deb12u9", before: { files: 1, bytes: 2_000_000 }, after: { files: 1, bytes: 2_000_000 } },
  ]);
  assert.is(d.removed.find((f) => f.path === "/usr/share/man/man1/curl.1.gz")?.package, "curl");
  assert.is(d.removed.find((f) => f.path === "/usr/bin/bash")?.package, "bash");
  assert.is(d.removed.find((f) => f.path === "/etc/ld.so.cache")?.package, "(unowned)");
  assert.is(d.added.find((f) => f.path === "/etc/passwd")?.package, "(mcc)");
  assert.is(d.files.before, a.files.filter((f) => f.kind === "file").length);
  assert.ok(d.bytes.after < d.bytes.before);
});

test("the text: bytes saved, packages removed and kept, entries of kept packages listed, whole packages' counted", () => {
  const { a, b } = images();
  const text = diffText(diffImages(a, b), "full", "min", false);
  const lines = text.split("\n");
  assert.is(lines[0], "full -> min");
  assert.match(lines[1] ?? "", /^size: 3\.2 MiB -> 2\.2 MiB \(1005\.1 KiB saved, -30\.9%\)$/);
  assert.match(text, /^files: 11 -> 8 \(8 removed, 5 added, 0 changed\)$/m);
  assert.match(text, /^packages: 3 -> 2 \(1 removed, 0 added, 2 kept\)$/m);
  assert.match(text, /^removed packages, largest first:\n- bash 5\.2\.15-2\+b7 +976\.7 KiB in 2 files$/m);
  assert.match(text, /^  curl 7\.88\.1-10\+deb12u8 +312\.5 KiB in 3 files -> 293\.0 KiB in 2 files$/m);
  assert.match(text, /^  libc6 2\.36-9\+deb12u9 +1\.9 MiB in 1 file, unchanged$/m);
  assert.match(text, /^curl:\n  - \/usr\/share\/man\/man1\/curl\.1\.gz \(19\.5 KiB\)$/m);
  assert.match(text, /^\(mcc\):\n  \+ \/etc\/passwd \(30 B\)$/m);
  // Kept packages' entries first, then the headings that are no package.
  assert.ok(text.indexOf("\ncurl:\n") < text.indexOf("\n(dpkg records):\n") && text.indexOf("\n(dpkg records):\n") < text.indexOf("\n(unowned):\n"), text);
  // bash's files and directories are said by its package line, not one by one.
  assert.not.match(text, /\/usr\/bin\/bash/);
  assert.not.match(text, /\/usr\/share\/doc\/bash\//);
  const all = diffText(diffImages(a, b), "full", "min", true);
  assert.match(all, /^bash:\n  - \/usr\/bin\/bash \(976\.6 KiB\)\n  - \/usr\/share\/doc\/bash\/copyright \(100 B\)$/m);
  assert.match(all, /^\(directories\):\n  - \/usr\/share\/doc\/bash\/$/m);
});

test("many entries under one heading: ten shown and a count, all with --files; the same image says so", () => {
  const many = Array.from({ length: 25 }, (_, i) => file(`/srv/f${String(i).padStart(2, "0")}`, 10));
  const d = diffImages({ files: many, texts: new Map() }, { files: [], texts: new Map() });
  const text = diffText(d, "a", "b", false);
  assert.match(text, /^\(unowned\):\n(  - \/srv\/f\d\d \(10 B\)\n){10}  \.\.\. and 15 more \(--files lists them\)$/m);
  assert.not.match(text, /^packages:/m);
  assert.is(diffText(d, "a", "b", true).split("\n").filter((l) => l.startsWith("  - /srv/")).length, 25);
  const same = diffText(diffImages({ files: many, texts: new Map() }, { files: many, texts: new Map() }), "a", "a", false);
  assert.match(same, /^size: 250 B -> 250 B \(the same\)$/m);
  assert.match(same, /the images hold the same files/);
});

test("a package at another version is kept and said changed", () => {
  const older = fullRecords([libc]);
  const newer = fullRecords([{ ...libc, version: "2.41-12" }]);
  const files = [file("/usr/lib/x86_64-linux-gnu/libc.so.6", 10)];
  const d = diffImages({ files, texts: older }, { files: [file("/usr/lib/x86_64-linux-gnu/libc.so.6", 12, "new")], texts: newer });
  assert.equal(d.packages.changed, [{ name: "libc6", from: "2.36-9+deb12u9", to: "2.41-12" }]);
  assert.equal(d.changed.map((c) => `${c.after.path} ${c.package}`), ["/usr/lib/x86_64-linux-gnu/libc.so.6 libc6"]);
  assert.match(diffText(d, "a", "b", false), /^~ package libc6 2\.36-9\+deb12u9 -> 2\.41-12$/m);
});

test.run();
