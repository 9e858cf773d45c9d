import type { ImageTree } from "../assemble/image-tree.js";
import { newcArchive, type CpioEntry } from "./cpio.js";
import { gzipStable } from "../formats/stable-gzip.js";
import { BOOT_STAGE_DIR } from "./init-plan.js";

/** A file the init uses before the program starts (a kernel module, the DHCP client) and then removes. */
export interface BootFile {
  readonly path: string;
  readonly data: Uint8Array;
  readonly mode: number;
}

/** A file the boot adds to the image for good (/etc/hosts): only where the image has none. */
export interface EtcFile {
  readonly path: string;
  readonly data: Uint8Array;
}

/** Reads a cache blob's bytes by sha256; the only I/O an initramfs needs, passed in. */
export type BlobReader = (sha256: string) => Promise<Uint8Array>;

/**
 * What the boot adds to the image's own files. `/dev/console` (char 5:1) is there so that
 * the kernel can open the console as init's stdin, stdout and stderr before anything is
 * mounted; devtmpfs, mounted later on /dev, hides it, but the open descriptors stay.
 * /proc, /sys, /dev and /run are the init's mount points.
 */
const BOOT_DIRECTORIES = ["/dev", "/proc", "/run", "/sys"] as const;
const CONSOLE: CpioEntry = { kind: "char-device", path: "/dev/console", mode: 0o600, uid: 0, gid: 0, major: 5, minor: 1 };

/**
 * The initramfs's entries: every entry of the image tree (its modes and owners as they are),
 * the init at `/init` (root, 0755), `/dev/console`, and the mount points the tree lacks, all
 * sorted by path in byte order (parents first). A tree that already has `/init` or
 * `/dev/console` is refused: the boot owns those paths. File contents come through `read`,
 * so this stays free of I/O of its own.
 */
export async function initramfsEntries(tree: ImageTree, init: Uint8Array, read: BlobReader, stage: readonly BootFile[] = [], etc: readonly EtcFile[] = []): Promise<CpioEntry[]> {
  const byPath = new Map<string, CpioEntry>();
  for (const entry of tree.entries) {
    switch (entry.kind) {
      case "directory":
        byPath.set(entry.path, entry);
        break;
      case "symlink":
        byPath.set(entry.path, { kind: "symlink", path: entry.path, target: entry.target, uid: entry.uid, gid: entry.gid });
        break;
      case "file": {
        const data = "bytes" in entry.source ? entry.source.bytes : await read(entry.source.blob);
        if (data.length !== entry.size) throw new Error(`${entry.path}: ${data.length} bytes read, the tree says ${entry.size}`);
        byPath.set(entry.path, { kind: "file", path: entry.path, mode: entry.mode, uid: entry.uid, gid: entry.gid, data });
        break;
      }
    }
  }
  for (const path of ["/init", CONSOLE.path, BOOT_STAGE_DIR]) {
    if (byPath.has(path)) throw new Error(`the image has its own ${path}, which the boot's init needs`);
  }
  for (const path of BOOT_DIRECTORIES) {
    const there = byPath.get(path);
    if (there === undefined) byPath.set(path, { kind: "directory", path, mode: 0o755, uid: 0, gid: 0 });
    else if (there.kind !== "directory") throw new Error(`${path} is a ${there.kind} in the image; the boot mounts a file system there`);
  }
  byPath.set("/init", { kind: "file", path: "/init", mode: 0o755, uid: 0, gid: 0, data: init });
  byPath.set(CONSOLE.path, CONSOLE);
  const directory = (path: string) => {
    const there = byPath.get(path);
    if (there === undefined) byPath.set(path, { kind: "directory", path, mode: path === BOOT_STAGE_DIR ? 0o700 : 0o755, uid: 0, gid: 0 });
    else if (there.kind !== "directory") throw new Error(`${path} is a ${there.kind} in the image; the boot needs a directory there`);
  };
  for (const f of [...stage, ...etc]) {
    if (byPath.has(f.path)) throw new Error(`the image has its own ${f.path}, which the boot would write`);
    const parts = f.path.split("/").slice(1, -1);
    parts.forEach((_, i) => directory(`/${parts.slice(0, i + 1).join("/")}`));
    byPath.set(f.path, { kind: "file", path: f.path, mode: "mode" in f ? (f as BootFile).mode : 0o644, uid: 0, gid: 0, data: f.data });
  }
  return [...byPath.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** The gzip-compressed newc initramfs of the tree and the init: same inputs, same bytes. */
export async function buildInitramfs(tree: ImageTree, init: Uint8Array, read: BlobReader, epoch: number, stage: readonly BootFile[] = [], etc: readonly EtcFile[] = []): Promise<Uint8Array> {
  return gzipStable(newcArchive(await initramfsEntries(tree, init, read, stage, etc), epoch));
}
