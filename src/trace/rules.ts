import type { TraceSpec } from "./trace-spec.js";
import type { VirtualRoot } from "./vroot.js";
import { INTERPRETERS, keptInterpreters } from "./interpreters.js";

/** What a rule sees: the spec, the root, what is kept so far, and the ELF facts traced. */
export interface RuleContext {
  readonly spec: TraceSpec;
  readonly root: VirtualRoot;
  readonly triplet: string;
  /** Paths kept so far (resolved). */
  readonly kept: ReadonlySet<string>;
  /** Sonames (or file names) of the shared objects kept so far. */
  readonly libraries: ReadonlySet<string>;
  /** Symbols imported by any kept ELF other than glibc's own libraries. */
  readonly imports: ReadonlySet<string>;
  /** Names of the packages in the set. */
  readonly packages: ReadonlySet<string>;
  readonly readText: (path: string) => Promise<string | undefined>;
}

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
  readonly mode: number;
}

/**
 * One thing DT_NEEDED cannot see. `why` is what `mcc why` prints for the files it keeps, so
 * it says the reason, not the mechanism.
 */
export interface TraceRule {
  readonly id: string;
  readonly why: string;
  applies(ctx: RuleContext): boolean;
  /** Absolute paths or globs (mcc's glob syntax) to keep, where they exist. */
  keep?(ctx: RuleContext): readonly string[];
  generate?(ctx: RuleContext): Promise<readonly GeneratedFile[]> | readonly GeneratedFile[];
}

export const RELEASE_VERSIONS: Record<string, string> = { buster: "10", bullseye: "11", bookworm: "12", trixie: "13", forky: "14" };

/** The rules, in the order they run; each runs again while it keeps adding files. */
export const TRACE_RULES: readonly TraceRule[] = [
  {
    id: "glibc-nss",
    why: "glibc loads NSS modules with dlopen to look up users, groups and hosts; nsswitch.conf says which",
    applies: (ctx) => ctx.libraries.has("libc.so.6"),
    keep: (ctx) => [`/usr/lib/${ctx.triplet}/libnss_files.so.2`, `/usr/lib/${ctx.triplet}/libnss_dns.so.2`],
    generate: () => [
      {
        path: "/etc/nsswitch.conf",
        content: "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n",
        mode: 0o644,
      },
    ],
  },
  {
    id: "glibc-libgcc_s",
    why: "glibc dlopens libgcc_s.so.1 to unwind the stack when a thread is cancelled or exits",
    applies: (ctx) => ctx.libraries.has("libc.so.6"),
    keep: (ctx) => [`/usr/lib/${ctx.triplet}/libgcc_s.so.1`],
  },
  {
    id: "glibc-gconv-config",
    why: "glibc reads the gconv module configuration when a program sets its locale or opens a converter (setlocale, iconv_open)",
    applies: (ctx) => ctx.imports.has("setlocale") || ctx.imports.has("iconv_open"),
    keep: (ctx) => ["gconv-modules", "gconv-modules.cache", "gconv-modules.d/*.conf"].map((f) => `/usr/lib/${ctx.triplet}/gconv/${f}`),
  },
  {
    id: "glibc-gconv",
    why: "iconv_open loads character set converters (gconv modules) with dlopen, as gconv-modules lists them; UTF-8, ASCII and UCS are built into glibc, and the Unicode and Latin-1 modules are kept (include others by glob)",
    applies: (ctx) => ctx.imports.has("iconv_open"),
    keep: (ctx) =>
      ["UTF-16.so", "UTF-32.so", "UTF-7.so", "UNICODE.so", "ISO8859-1.so", "ISO8859-15.so"].map(
        (f) => `/usr/lib/${ctx.triplet}/gconv/${f}`,
      ),
  },
  {
    id: "openssl-config",
    why: "OpenSSL reads openssl.cnf at start and loads its providers (legacy, fips) with dlopen; engines load only when a configuration names them, so they are left to include",
    applies: (ctx) => ctx.libraries.has("libcrypto.so.3"),
    keep: (ctx) => [
      "/usr/lib/ssl/openssl.cnf",
      "/usr/lib/ssl/certs",
      "/usr/lib/ssl/private",
      "/etc/ssl/openssl.cnf",
      "/etc/ssl/openssl.cnf.d/*",
      `/usr/lib/${ctx.triplet}/ossl-modules/*`,
    ],
  },
  {
    id: "ca-certificates",
    why: "update-ca-certificates (run by ca-certificates' postinst, which mcc never runs) builds this bundle from the certificates the package ships",
    applies: (ctx) => ctx.packages.has("ca-certificates"),
    generate: async (ctx) => {
      const certs = ctx.root.filesUnder("/usr/share/ca-certificates").filter((p) => p.endsWith(".crt"));
      const parts: string[] = [];
      for (const path of certs) {
        const text = await ctx.readText(path);
        if (text !== undefined) parts.push(text.endsWith("\n") ? text : `${text}\n`);
      }
      return [{ path: "/etc/ssl/certs/ca-certificates.crt", content: parts.join(""), mode: 0o644 }];
    },
  },
  // Each interpreter's module trees, kept whole when the interpreter is (src/trace/interpreters.ts).
  ...INTERPRETERS.map(
    (interpreter): TraceRule => ({
      id: interpreter.rule,
      why: interpreter.why,
      applies: (ctx) => keptInterpreters(ctx.kept).some((k) => k.interpreter === interpreter),
      keep: (ctx) => [...new Set(keptInterpreters(ctx.kept).flatMap((k) => (k.interpreter === interpreter ? k.interpreter.trees(k.version, ctx.triplet) : [])))],
    }),
  ),
  {
    id: "users",
    why: "the spec's user and group, so that getpwuid and id name them (adduser never runs)",
    applies: () => true,
    generate: (ctx) => {
      const u = ctx.spec.user;
      const users = [`root:x:0:0:root:/root:/sbin/nologin`];
      const groups = [`root:x:0:`];
      if (u.uid !== 0) users.push(`${u.name}:x:${u.uid}:${u.gid}:${u.name}:/write:/sbin/nologin`);
      if (u.gid !== 0) groups.push(`${u.uid === 0 ? "users" : u.name}:x:${u.gid}:`);
      return [
        { path: "/etc/passwd", content: users.join("\n") + "\n", mode: 0o644 },
        { path: "/etc/group", content: groups.join("\n") + "\n", mode: 0o644 },
      ];
    },
  },
  {
    id: "os-release",
    why: "programs and scanners identify the system from os-release",
    applies: () => true,
    generate: (ctx) => {
      const release = ctx.spec.from.release;
      const version = RELEASE_VERSIONS[release];
      const lines = [
        `PRETTY_NAME="Debian GNU/Linux${version === undefined ? "" : ` ${version}`} (${release})"`,
        `NAME="Debian GNU/Linux"`,
        ...(version === undefined ? [] : [`VERSION_ID="${version}"`, `VERSION="${version} (${release})"`]),
        `VERSION_CODENAME=${release}`,
        "ID=debian",
      ];
      // Trivy detects Debian by /etc/debian_version; the major version is what it matches on.
      return [
        { path: "/usr/lib/os-release", content: lines.join("\n") + "\n", mode: 0o644 },
        { path: "/etc/debian_version", content: `${version ?? `${release}/sid`}\n`, mode: 0o644 },
      ];
    },
  },
];

