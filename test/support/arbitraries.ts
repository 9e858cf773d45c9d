// Random specs for the property tests: valid by construction, in every form the format allows.
import fc from "fast-check";

const segment = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,8}$/).filter((s) => s !== "." && s !== "..");
const absPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => "/" + s.join("/"));
const pkg = fc.stringMatching(/^[a-z0-9][a-z0-9+.-]{1,12}$/);
const version = fc.stringMatching(/^[0-9][a-z0-9.+~]{0,6}(-[a-z0-9.+~]{1,4})?$/);

export const validSpec = fc.record(
  {
    name: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,15}$/),
    tag: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}$/),
    from: fc.record(
      {
        release: fc.constantFrom("bookworm", "trixie", "forky", "sid"),
        archs: fc.uniqueArray(fc.constantFrom("amd64", "arm64"), { minLength: 1 }),
        components: fc.uniqueArray(fc.constantFrom("main", "contrib", "non-free"), { minLength: 1 }),
        mirror: fc.constantFrom("http://mirror.example.org/debian", "https://example.net/debian/", "file:///srv/mirror"),
      },
      { requiredKeys: [] },
    ),
    packages: fc.uniqueArray(fc.tuple(pkg, fc.option(version, { nil: undefined })), {
      minLength: 1,
      maxLength: 6,
      selector: ([name]) => name,
    }).map((list) => list.map(([name, v]) => (v === undefined ? name : `${name}=${v}`))),
    executable: absPath,
    args: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }),
    env: fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), fc.string({ maxLength: 10 }), { maxKeys: 4 }),
    user: fc.oneof(
      fc.nat({ max: 70000 }),
      fc.tuple(fc.nat({ max: 70000 }), fc.nat({ max: 70000 })).map(([u, g]) => `${u}:${g}`),
      fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/),
      fc.record({ name: fc.stringMatching(/^[a-z_][a-z0-9_-]{0,8}$/), uid: fc.nat({ max: 70000 }) }),
    ),
    workdir: absPath,
    include: fc.array(absPath.map((p) => `${p}/**`), { maxLength: 3 }),
    exclude: fc.array(absPath.map((p) => `${p}/*.txt`), { maxLength: 3 }),
    files: fc
      .uniqueArray(fc.tuple(absPath, fc.string({ maxLength: 20 }), fc.constantFrom("0644", "0755", "0o600", "644")), {
        maxLength: 3,
        selector: ([p]) => p,
      })
      .map((list) => list.map(([path, content, mode]) => ({ path: `/read${path}`, content, mode }))),
    ports: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 }).map((ps) => ps.map((p, i) => (i % 2 ? `${p}/udp` : p))),
    labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z.]{0,10}$/), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
    output: fc.constantFrom({ format: "oci" }, [{ format: "oci" }, { format: "docker-archive" }], { format: "iso", path: "out/x.iso" }),
  },
  { requiredKeys: ["name", "packages", "executable"] },
);


/**
 * Valid specs in the forms that are hardest to spell in the DSL: any Unicode in free text,
 * keywords and digits as values, every user and mode form, empty lists and mappings, the
 * single and list forms of output, distro and keyring, version.
 */
export const awkwardSpec = fc.record(
  {
    version: fc.constant(1),
    name: fc.constantFrom("file", "image", "0day", "a.b_c-d"),
    tag: fc.constantFrom("latest", "1.36", "0", "V_1-2"),
    from: fc.oneof(
      fc.constant({}),
      fc.record({ distro: fc.constant("debian"), release: fc.constantFrom("bookworm", "sid") }, { requiredKeys: [] }),
      fc.record({ release: fc.constant("trixie"), keyring: fc.constantFrom("keys/a b.gpg", "/usr/share/k.gpg", "k#1.gpg") }),
    ),
    packages: fc.uniqueArray(fc.constantFrom("file", "user", "image", "curl", "libc6=2.36-9+deb12u7", "g++", "x11-common=1:7.7+23"), { minLength: 1 }),
    executable: fc.constantFrom("/usr/bin/env", "/opt/my app/run", "/x/{a}"),
    args: fc.array(fc.string({ unit: "grapheme", maxLength: 8 }), { maxLength: 4 }),
    env: fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/), fc.string({ unit: "grapheme", maxLength: 10 }), { maxKeys: 3 }),
    user: fc.oneof(
      fc.nat({ max: 70000 }),
      fc.constantFrom("65532", "1000:1000", "root", "nonroot"),
      fc.record({ name: fc.constantFrom("www", "uid"), uid: fc.nat({ max: 70000 }), gid: fc.nat({ max: 9 }) }, { requiredKeys: [] }).filter((u) => Object.keys(u).length > 0),
    ),
    workdir: fc.constantFrom("/write", "/a b"),
    mounts: fc.constantFrom([], [{ path: "/run", type: "tmpfs" }], [{ path: "/w x", type: "volume" }, { path: "/read", type: "config" }]),
    include: fc.constantFrom([], ["/usr/share/zoneinfo/**", "/etc/ssl/certs/[a-z]*.pem", "/a\\*b"]),
    exclude: fc.constantFrom([], ["/usr/share/doc/**"]),
    files: fc.constantFrom(
      [],
      [{ path: "/read/a", source: "a.conf", mode: 0o640 }],
      [{ path: "/read/b", content: "line 1\n\tline \"2\"\n\\ end", mode: "0o755" }, { path: "/read/c", content: "" }],
    ),
    ports: fc.constantFrom([], [8080, "53/udp", "9090"]),
    labels: fc.dictionary(fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }), fc.string({ unit: "grapheme", maxLength: 6 }), { maxKeys: 3 }),
    output: fc.constantFrom({ format: "oci" }, { format: "rootfs", path: "out/my root" }, [{ format: "oci" }], [{ format: "oci" }, { format: "iso", path: "out/x.iso" }]),
  },
  { requiredKeys: ["name", "packages", "executable"] },
);
