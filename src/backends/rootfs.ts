import { join, posix } from "node:path";
import type { Host } from "../host/host.js";
import type { BlobStore } from "../cache/store.js";
import type { ImageTree } from "../assemble/image-tree.js";
import { replaceDirectory } from "../host/atomic.js";

/**
 * Writes the image tree as a plain directory. It is built beside the target under a temp
 * name and renamed into place, so the target is either the old tree or the whole new one.
 * Owners are set when running as root (otherwise the files are the caller's). Paths come from
 * the tree, which holds only normalized absolute paths; nothing is followed on the host.
 */
export async function writeRootfs(host: Host, tree: ImageTree, store: BlobStore, target: string, options: { chown: boolean }): Promise<void> {
  // Nothing may be written through a link of the tree itself.
  const links = new Set(tree.entries.filter((e) => e.kind === "symlink").map((e) => e.path));
  for (const entry of tree.entries) {
    for (let dir = posix.dirname(entry.path); dir !== "/"; dir = posix.dirname(dir)) {
      if (links.has(dir)) throw new Error(`image tree entry ${entry.path} lies under the symlink ${dir}`);
    }
  }
  await replaceDirectory(host, target, async (temp) => {
    for (const entry of tree.entries) {
      const path = join(temp, entry.path);
      switch (entry.kind) {
        case "directory":
          await host.mkdir(path);
          await host.setMode(path, entry.mode);
          break;
        case "file":
          if ("blob" in entry.source) await host.copyFile(store.pathOf(entry.source.blob), path);
          else await host.createFile(path, entry.source.bytes);
          await host.setMode(path, entry.mode);
          break;
        case "symlink":
          await host.symlink(entry.target, path);
          break;
      }
      if (options.chown) await host.setOwner(path, entry.uid, entry.gid);
    }
    await host.setMode(temp, 0o755);
  });
}
