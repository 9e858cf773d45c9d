import { test } from "uvu";
import * as assert from "uvu/assert";
import { packageNameProblem, splitPackageRef, versionProblem } from "../../src/debian/package-ref.js";

test("Debian package names", () => {
  for (const ok of ["curl", "libc6", "g++", "libstdc++6", "python3.11", "0ad", "xz-utils"]) {
    assert.is(packageNameProblem(ok), undefined, ok);
  }
  for (const [bad, why] of [["Curl", /lowercase/], ["c", /two characters/], ["-x", /starts with/], ["lib_x", /'_'/], ["", /empty/]] as const) {
    assert.match(packageNameProblem(bad) ?? "", why, bad);
  }
});

test("Debian versions, as dpkg parses them", () => {
  for (const ok of ["1.0", "2:1.0-1", "8.5.0-2+deb12u1", "1.0~rc1-1", "1:2.3.4-5ubuntu1", "0.9+git20200101-1.1", "1.0-1-2"]) {
    assert.is(versionProblem(ok), undefined, ok);
  }
  for (const [bad, why] of [["", /empty/], ["a1.0", /digit/], ["x:1.0", /epoch/], ["1.0-", /revision/], ["1.0-a_b", /revision/], ["1 0", /spaces/], ["1.0_1", /upstream/]] as const) {
    assert.match(versionProblem(bad) ?? "", why, bad);
  }
});

test("name=version splits at the first '='", () => {
  assert.equal(splitPackageRef("curl"), { name: "curl" });
  assert.equal(splitPackageRef("curl=8.5.0-2"), { name: "curl", version: "8.5.0-2" });
});

test.run();
