// Debian's kernel (the cloud one for amd64, the generic one for arm64), through mcc's own verified source: the signed archive
// (InRelease -> Release -> Packages), the metapackage's Depends naming the versioned kernel
// package, that one .deb fetched with its sha256 checked, and /boot/vmlinuz-* read out of it
// with mcc's .deb reader. Nothing else of the kernel's dependencies is fetched.
import { createBlobStore } from "../../src/cache/store.js";
import { compareVersions } from "../../src/debian/version.js";
import { parseRelations } from "../../src/debian/relations.js";
import { readDeb } from "../../src/extract/deb.js";
import { collectBytes } from "../../src/host/host.js";
import { createNodeHost } from "../../src/host/node-host.js";
import type { LockedPackage } from "../../src/resolve/lock.js";
import { loadArchive } from "../../src/source/archive.js";
import { archiveBases } from "../../src/source/bases.js";
import { fetchPackages } from "../../src/source/fetch-packages.js";
import { loadKeyring } from "../../src/source/keyring.js";
import type { PackageRecord } from "../../src/source/packages-index.js";
import type { Spec } from "../../src/types/spec.js";
import { sharedTestCache } from "./io.js";

export interface DebianKernel {
  /** The versioned package, e.g. linux-image-6.1.0-NN-cloud-amd64, and its version. */
  readonly pkg: string;
  readonly version: string;
  readonly vmlinuz: Uint8Array;
}

/** Fetches and extracts the kernel the metapackage `meta` points to, on `release` for `arch`. */
export async function debianKernel(release = "bookworm", arch: "amd64" | "arm64" = "amd64", meta = arch === "amd64" ? "linux-image-cloud-amd64" : "linux-image-arm64"): Promise<DebianKernel> {
  const host = createNodeHost();
  const spec = { from: { release } } as unknown as Spec;
  const bases = await archiveBases(host, spec, process.env);
  const { keyring } = await loadKeyring(host, undefined, process.cwd());
  const store = createBlobStore(host, sharedTestCache);
  const archive = await loadArchive(
    host,
    { ...bases, release, components: ["main"], arch, keyring, now: new Date(), allowExpired: false, offline: false },
    store,
  );
  const newest = (name: string): PackageRecord => {
    const found = [...archive.packages.named(name)].sort((a, b) => compareVersions(b.version, a.version))[0];
    if (found === undefined) throw new Error(`${name} is not in ${release}/main for ${arch}`);
    return found;
  };
  const metapackage = newest(meta);
  const target = parseRelations(metapackage.depends)
    .flat()
    .find((r) => r.name.startsWith("linux-image-"));
  if (target === undefined) throw new Error(`${meta} ${metapackage.version} depends on no linux-image-* package: "${metapackage.depends}"`);
  const kernel = newest(target.name);
  const locked: LockedPackage = {
    name: kernel.name,
    version: kernel.version,
    arch: kernel.arch,
    filename: kernel.filename,
    size: kernel.size,
    sha256: kernel.sha256,
    source: kernel.source,
    archive: kernel.suite.endsWith("-security") ? "security" : "mirror",
    suite: kernel.suite,
    reason: `${meta}: ${target.name}`,
  };
  await fetchPackages(host, [locked], bases, store, { parallel: 1, offline: false });
  let vmlinuz: Uint8Array | undefined;
  await readDeb(store.open(kernel.sha256), async (entry, content) => {
    if (entry.kind === "file" && /^\/boot\/vmlinuz-/.test(entry.path) && content !== undefined) vmlinuz = await collectBytes(content);
    else if (content !== undefined) for await (const _ of content) void _;
  });
  if (vmlinuz === undefined) throw new Error(`${kernel.name} ${kernel.version} holds no /boot/vmlinuz-*`);
  return { pkg: kernel.name, version: kernel.version, vmlinuz };
}
