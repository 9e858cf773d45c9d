import type { BlobStore } from "../cache/store.js";
import type { PackageManifest } from "../extract/unpack.js";

/**
 * The links `update-alternatives --install LINK NAME PATH PRIORITY` in the packages'
 * postinst scripts would create; for each link the highest priority wins (apt's auto mode).
 */
export async function readAlternatives(packages: readonly { name: string; manifest: PackageManifest }[], store: BlobStore): Promise<Map<string, string>> {
  const best = new Map<string, { path: string; priority: number }>();
  for (const { manifest } of packages) {
    const postinst = manifest.control["postinst"];
    if (postinst === undefined) continue;
    const text = new TextDecoder().decode(await store.read(postinst)).replace(/\\\n\s*/g, " ");
    for (const m of text.matchAll(/update-alternatives\s+(?:--\S+\s+)*--install\s+(\/\S+)\s+(\S+)\s+(\/\S+)\s+(\d+)/g)) {
      const [, link, , path, priority] = m as unknown as [string, string, string, string, string];
      const current = best.get(link);
      if (current === undefined || Number(priority) > current.priority) best.set(link, { path, priority: Number(priority) });
    }
  }
  return new Map([...best].map(([link, { path }]) => [link, path]));
}
