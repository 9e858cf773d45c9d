import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseGlob } from "../../src/paths/glob.js";

function matches(pattern: string, path: string): boolean {
  const g = parseGlob(pattern);
  if (!g.ok) throw new Error(`${pattern}: ${g.reason}`);
  return g.regex.test(path);
}

test("* stays within a segment, ** crosses them", () => {
  assert.ok(matches("/etc/ssl/certs/*", "/etc/ssl/certs/ca.crt"));
  assert.not.ok(matches("/etc/ssl/certs/*", "/etc/ssl/certs/sub/ca.crt"));
  assert.ok(matches("/usr/share/zoneinfo/**", "/usr/share/zoneinfo/Europe/Paris"));
  assert.ok(matches("/usr/share/zoneinfo/**", "/usr/share/zoneinfo"));
  assert.not.ok(matches("/usr/share/zoneinfo/**", "/usr/share/zoneinfo2"));
  assert.ok(matches("/usr/**/python3", "/usr/bin/python3"));
  assert.ok(matches("/usr/**/python3", "/usr/python3"));
  assert.ok(matches("/usr/**/lib/*.so.?", "/usr/x/y/lib/libz.so.1"));
  assert.ok(matches("/**", "/anything/at/all"));
});

test("? [] and escapes", () => {
  assert.ok(matches("/lib/libc.so.?", "/lib/libc.so.6"));
  assert.not.ok(matches("/lib/libc.so.?", "/lib/libc.so.10"));
  assert.ok(matches("/x/[a-c]*", "/x/banana"));
  assert.not.ok(matches("/x/[!a-c]*", "/x/banana"));
  assert.ok(matches("/x/\\*", "/x/*"));
  assert.not.ok(matches("/x/\\*", "/x/y"));
  assert.ok(matches("/x/a.b", "/x/a.b"));
  assert.not.ok(matches("/x/a.b", "/x/aXb"));
  assert.ok(matches("/x/.hidden*", "/x/.hidden-file"));
});

test("bad globs say why", () => {
  const cases: Record<string, RegExp> = {
    "": /empty/,
    "usr/lib/*": /start it with '\/'/,
    "/usr//lib": /empty path segment/,
    "/usr/../etc": /'\.\.' segment/,
    "/usr/lib/": /ends with '\/'/,
    "/usr/lib**": /whole path segment/,
    "/usr/[abc": /never closed/,
    "/usr/{a,b}": /braces/,
    "/usr/a\\": /lone/,
    "/usr/[]": /never closed/,
  };
  for (const [pattern, reason] of Object.entries(cases)) {
    const g = parseGlob(pattern);
    assert.is(g.ok, false, pattern);
    if (!g.ok) assert.match(g.reason, reason, pattern);
  }
});

test.run();
