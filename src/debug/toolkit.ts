// The debugging toolkit `mcc debug` side-loads: a spec mcc builds like any other (Debian's
// static busybox as the shell and core utilities, strace, curl, ip and ss with their traced
// closures), and the launchers written for the place it lands. A dynamic tool is run through
// the toolkit's own loader with the toolkit's libraries only (`--inhibit-cache --library-path`),
// so nothing of the target image is used or changed. Pure.

import { DEFAULT_PATH } from "../formats/oci-documents.js";

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

/** Where the debugging image keeps its entrypoint, the helper that enters a target (attachScript). */
export const ATTACH_PATH = "/usr/bin/mcc-attach";

/**
 * The toolkit as a spec (YAML): what `mcc debug` builds, through the cache, per release and
 * architecture. As an image (`image`), its entrypoint is the attach helper (`mcc-attach`,
 * written beside the spec), it runs as root with `/` as its working directory and no mounts of
 * its own, for every architecture listed.
 */
export function toolkitSpec(release: string, archs: readonly string[], image = false): string {
  const packages = ["busybox-static", ...new Set(DEBUG_TOOLS.map((t) => t.package))];
  return [
    `# Written by mcc debug: the toolkit it side-loads into a running container${image ? ", as an image" : ""}.`,
    "version: 1",
    "name: mcc-debug",
    `from: { release: ${release}, archs: [${archs.join(", ")}] }`,
    `packages: [${packages.join(", ")}]`,
    ...(image
      ? [
          `executable: ${ATTACH_PATH}`,
          "user: { name: root, uid: 0, gid: 0 }",
          "workdir: /",
          "mounts: []",
          "env: { PATH: /usr/bin:/bin }",
          "files:",
          `  - { path: ${ATTACH_PATH}, source: mcc-attach, mode: "0755" }`,
          "layers: one",
        ]
      : ["executable: /bin/busybox"]),
    "include:",
    "  - /usr/bin/busybox",
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

/**
 * The attach helper of the debugging image (busybox's shell): for a container that shares a
 * target's process namespace (`kubectl debug --target`, `docker`/`podman run
 * --pid=container:NAME`). It reaches the target's root through `/proc/PID/root` (PID from
 * `MCC_TARGET`, 1 by default: the target's program in a shared namespace), copies this
 * toolkit into the first place `toolkitPlace` would choose, writes the launchers there (as
 * `launchers` does), and runs a shell or the command given, chrooted into the target's root in
 * its working directory; the copy is removed when it ends. Without a target to reach (PID 1 is
 * the helper itself), a shell with the toolkit in the image's own root.
 */
export function attachScript(): string {
  const tools = DEBUG_TOOLS.map((t) => `${t.name}:${t.path}`).join(" ");
  const targets = Object.values(TOOLKIT_TARGETS)
    .map((t) => `${t.triplet}:${t.loader}`)
    .join(" ");
  return `#!/usr/bin/busybox sh
# mcc-attach: written by mcc debug --image. Enters the target's root with this toolkit.
say() { echo "mcc-attach: $*" >&2; }
pid=\${MCC_TARGET:-1}
case $pid in ''|*[!0-9]*) say "MCC_TARGET is a process id, not '$pid'"; exit 2;; esac
if [ "$pid" = "$$" ] || [ /proc/$pid/root/ -ef / ]; then
  # No target shares this container's process namespace: the toolkit here.
  [ $# -eq 0 ] && say "no target: this container shares no other's processes (kubectl debug --target=NAME, --pid=container:NAME); a shell in the toolkit"
  cd /
  if [ $# -eq 0 ]; then exec /usr/bin/busybox sh; else exec /usr/bin/busybox sh -c 'exec "$@"' sh "$@"; fi
fi
root=/proc/$pid/root
if ! ls "$root/" >/dev/null 2>&1; then
  say "cannot reach process $pid's root through $root: share its process namespace and add CAP_SYS_PTRACE (kubectl debug --profile=general, --cap-add SYS_PTRACE)"
  exit 1
fi
place=
for p in ${PLACES.join(" ")}; do
  if awk -v p="$p" '{ n = index($0, " - "); split(substr($0, 1, n - 1), f, " "); split(substr($0, n + 3), g, " "); o = "," f[6] ","; if (f[5] == p) ok = (g[1] == "tmpfs" && o ~ /,rw,/ && o !~ /,noexec,/) } END { exit !ok }' "/proc/$pid/mountinfo"; then place=$p; break; fi
done
if [ -z "$place" ]; then
  say "process $pid has no writable tmpfs that may run programs (${PLACES.join(", ")}) to put the toolkit in"
  exit 1
fi
host=$(mktemp -d "$root$place/.mcc-debug-XXXXXXXX") || { say "cannot write into $place of process $pid"; exit 1; }
trap 'rm -rf "$host"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
inside=\${host#"$root"}
if ! cp -a /usr "$host/" || ! mkdir "$host/mcc-bin"; then say "the toolkit does not fit into $place of process $pid (it takes about 30 MB)"; exit 1; fi
for t in ${targets}; do
  [ -e "/usr/lib/\${t%%:*}/\${t#*:}" ] && libs=$inside/usr/lib/\${t%%:*} && loader=$libs/\${t#*:}
done
for a in $(/usr/bin/busybox --list); do ln -s ../usr/bin/busybox "$host/mcc-bin/$a"; done
for t in ${tools}; do
  name=\${t%%:*}
  rm -f "$host/mcc-bin/$name"
  printf '#!%s/usr/bin/busybox sh\\nexec "%s" --inhibit-cache --library-path "%s" --argv0 %s "%s%s" "$@"\\n' "$inside" "$loader" "$libs" "$name" "$inside" "\${t#*:}" > "$host/mcc-bin/$name"
  chmod 755 "$host/mcc-bin/$name"
done
cwd=$(readlink "/proc/$pid/cwd") || cwd=/
PATH="$inside/mcc-bin:${DEFAULT_PATH}" HOME=/ PS1='mcc-debug:\\w# ' MCC_DEBUG=$inside MCC_CWD=$cwd \\
  chroot "$root" "$inside/usr/bin/busybox" sh -c 'cd "$MCC_CWD" 2>/dev/null; unset MCC_CWD; if [ $# -eq 0 ]; then exec "$MCC_DEBUG/usr/bin/busybox" sh; else exec "$@"; fi' sh "$@"
`;
}

/**
 * The applets a busybox binary holds, read from the binary itself (its table of names: `[`,
 * `[[`, then the rest in order, NUL-separated), so that links can be made for a busybox of
 * another architecture too. Empty when the table is not found.
 */
export function busyboxApplets(binary: Uint8Array): string[] {
  const bytes = Buffer.from(binary.buffer, binary.byteOffset, binary.byteLength);
  const start = bytes.indexOf(Buffer.from("\0[\0[[\0", "latin1"));
  if (start < 0) return [];
  const names: string[] = [];
  for (let at = start + 1; ; ) {
    const end = bytes.indexOf(0, at);
    const name = bytes.subarray(at, end < 0 ? at : end).toString("latin1");
    if (!/^[\w.[-]+$/.test(name) || (names.length > 0 && name <= (names[names.length - 1] as string))) break;
    names.push(name);
    at = end + 1;
  }
  return names;
}

/**
 * The script an appliance's init starts as a root shell on the console when the toolkit's disk
 * is attached (mounted at `prefix`): the launchers first on PATH, a prompt that says where it
 * is, and a new shell whenever one ends, so an `exit` does not lose the console.
 */
export function debugShellScript(prefix: string): string {
  return [
    `#!${prefix}/usr/bin/busybox sh`,
    "# Written by mcc debug --disk: the root shell an appliance's init starts on its console when",
    "# this disk is attached. The program runs beside it, as before.",
    `t=${prefix}`,
    `export PATH=$t/mcc-bin:${DEFAULT_PATH} HOME=/ TERM=linux MCC_DEBUG=$t`,
    "export PS1='mcc-debug:\\w# '",
    "cd /",
    `echo "mcc-debug: a root shell beside the program; the toolkit (busybox, ${DEBUG_TOOLS.map((d) => d.name).join(", ")}) is in $t"`,
    "while :; do",
    "  $t/usr/bin/busybox sh -i",
    "  echo 'mcc-debug: the shell ended; a new one starts (the appliance runs on)'",
    "  $t/usr/bin/busybox sleep 1",
    "done",
    "",
  ].join("\n");
}

/**
 * What the toolkit's disk holds beyond the toolkit's own tree, for an appliance that mounts it
 * at `prefix`: the launchers in `mcc-bin/` (links to busybox, scripts for the dynamic tools)
 * and the shell the init starts (`mcc-shell`). Paths are relative to the disk's root.
 */
export function diskExtras(prefix: string, arch: string, applets: readonly string[]): ({ path: string; kind: "dir" } | { path: string; kind: "symlink"; target: string } | { path: string; kind: "file"; content: string })[] {
  const made = launchers(prefix, arch, applets);
  return [
    { path: "mcc-bin", kind: "dir" },
    ...made.links.map((l) => ({ path: `mcc-bin/${l.name}`, kind: "symlink" as const, target: l.target })),
    ...made.scripts.map((s) => ({ path: `mcc-bin/${s.name}`, kind: "file" as const, content: s.content })),
    { path: "mcc-shell", kind: "file", content: debugShellScript(prefix) },
  ];
}
