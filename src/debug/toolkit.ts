// The debugging toolkit `mcc debug` side-loads: a spec mcc builds like any other (Debian's
// static busybox as the shell and core utilities, strace, curl, ip and ss with their traced
// closures), and the launchers written for the place it lands. A dynamic tool is run through
// the toolkit's own loader with the toolkit's libraries only (`--inhibit-cache --library-path`),
// so nothing of the target image is used or changed. Pure.

export interface DebugTool {
  readonly name: string;
  /** The Debian package that ships it. */
  readonly package: string;
  /** Its path in the toolkit. */
  readonly path: string;
}

/** The dynamic tools beside busybox's applets (a tool of the same name replaces the applet). */
export const DEBUG_TOOLS: readonly DebugTool[] = [
  { name: "strace", package: "strace", path: "/usr/bin/strace" },
  { name: "curl", package: "curl", path: "/usr/bin/curl" },
  { name: "ip", package: "iproute2", path: "/usr/bin/ip" },
  { name: "ss", package: "iproute2", path: "/usr/bin/ss" },
];

/** Each architecture's multiarch triplet and the file name of its ELF loader. */
export const TOOLKIT_TARGETS: Record<string, { triplet: string; loader: string }> = {
  amd64: { triplet: "x86_64-linux-gnu", loader: "ld-linux-x86-64.so.2" },
  arm64: { triplet: "aarch64-linux-gnu", loader: "ld-linux-aarch64.so.1" },
};

/** The toolkit as a spec (YAML): what `mcc debug` builds, through the cache, per release and architecture. */
export function toolkitSpec(release: string, arch: string): string {
  const packages = ["busybox-static", ...new Set(DEBUG_TOOLS.map((t) => t.package))];
  return [
    "# Written by mcc debug: the toolkit it side-loads into a running container.",
    "version: 1",
    "name: mcc-debug",
    `from: { release: ${release}, archs: [${arch}] }`,
    `packages: [${packages.join(", ")}]`,
    "executable: /bin/busybox",
    "include:",
    ...DEBUG_TOOLS.map((t) => `  - ${t.path}`),
    "metadata: { sbom: false, provenance: false }",
    "",
  ].join("\n");
}

/**
 * The launchers of a toolkit placed at `prefix` (as the target sees it), for a directory beside
 * its `usr/` (`PREFIX/mcc-bin/NAME`): for each
 * busybox applet (a link to busybox) and each dynamic tool (a script of busybox's shell that
 * runs the tool through the toolkit's loader). Written where it lands, since a `#!` names an
 * absolute path.
 */
export function launchers(prefix: string, arch: string, applets: readonly string[]): { links: { name: string; target: string }[]; scripts: { name: string; content: string }[] } {
  const target = TOOLKIT_TARGETS[arch];
  if (target === undefined) throw new Error(`no toolkit for the architecture ${arch}`);
  const libs = `${prefix}/usr/lib/${target.triplet}`;
  const tools = new Set(DEBUG_TOOLS.map((t) => t.name));
  return {
    links: applets.filter((a) => /^[\w.[-]+$/.test(a) && !tools.has(a) && a !== "busybox").map((name) => ({ name, target: "../usr/bin/busybox" })),
    scripts: DEBUG_TOOLS.map((t) => ({
      name: t.name,
      content: `#!${prefix}/usr/bin/busybox sh\nexec "${libs}/${target.loader}" --inhibit-cache --library-path "${libs}" --argv0 ${t.name} "${prefix}${t.path}" "$@"\n`,
    })),
  };
}

/** Where the toolkit may land, in this order: a container runtime's usual tmpfs mounts. */
const PLACES = ["/dev", "/run", "/tmp", "/var/tmp", "/dev/shm"];

/**
 * The first place in a target's mount table (`/proc/PID/mountinfo`) that is a writable tmpfs
 * whose programs may run: runc's /dev; podman's /run or /tmp, since podman mounts /dev noexec.
 * The image's own root is never written. Undefined when there is none.
 */
export function toolkitPlace(mountinfo: string): string | undefined {
  const usable = new Set<string>();
  for (const line of mountinfo.split("\n")) {
    const [before, after] = line.split(" - ");
    const fields = (before ?? "").split(" ");
    const [fstype] = (after ?? "").split(" ");
    const mountPoint = fields[4];
    const options = (fields[5] ?? "").split(",");
    if (mountPoint === undefined || fstype !== "tmpfs") continue;
    // A later mount at the same place hides an earlier one.
    if (options.includes("rw") && !options.includes("noexec")) usable.add(mountPoint);
    else usable.delete(mountPoint);
  }
  return PLACES.find((p) => usable.has(p));
}
