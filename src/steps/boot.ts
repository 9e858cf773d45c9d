import type { Host } from "../host/host.js";
import { MissingModules } from "./boot-diagnostics.js";
import { join } from "node:path";
import { replaceDirectory, replaceFile } from "../host/atomic.js";
import { bootIso, type ArchBoot } from "../backends/iso/boot-iso.js";
import { bootDisk } from "../backends/disk/boot-disk.js";
import { qcow2 } from "../backends/disk/qcow2.js";
import { initElf } from "../boot/init-elf.js";
import { BOOT_STAGE_DIR, initPlanOf, unprivilegedPortStart, type InitNetwork } from "../boot/init-plan.js";
import { readElf } from "../trace/elf.js";
import { moduleLoadOrder, moduleName, readModinfo, softdepCandidates, type KernelModule } from "../boot/kernel-modules.js";
import { didYouMean } from "../diagnostics/did-you-mean.js";
import { decompressStream } from "../extract/decompress.js";
import { buildInitramfs, type BootFile } from "../boot/initramfs.js";
import type { BlobStore } from "../cache/store.js";
import { packageFiles, unpackDeb, type FileContents, type PackageManifest } from "../extract/unpack.js";
import type { InitramfsParams, IsoParams } from "../plan/step-params.js";
import type { Blob } from "../formats/oci-documents.js";
import { treeOf, type ImageTree, type TreeResult } from "../assemble/image-tree.js";

/** Where each boot file lives in its Debian package. */
const IN_PACKAGE = {
  isolinux: "/usr/lib/ISOLINUX/isolinux.bin",
  ldlinux: "/usr/lib/syslinux/modules/bios/ldlinux.c32",
  ipconfig: "/usr/lib/klibc/bin/ipconfig",
  systemdBoot: { amd64: "/usr/lib/systemd/boot/efi/systemd-bootx64.efi", arm64: "/usr/lib/systemd/boot/efi/systemd-bootaa64.efi" },
} as const;


/**
 * The `initramfs` step: the generated init, the kernel modules it loads (from the kernel
 * package, in dependency order), the DHCP client when the network asks for one, and the image
 * tree, as a gzip'd newc cpio in the cache.
 */
export async function initramfsStep(params: InitramfsParams, store: BlobStore, tree: TreeResult, kernel: { name: string; deb: string }, dhcpPackages: readonly { deb: string }[]): Promise<Blob> {
  const image = treeOf(tree);
  const modules = await kernelModules(kernel.name, await unpackDeb(store, kernel.deb), store, params.modules, params.required);
  const stage: BootFile[] = [...modules];
  const net = params.network;
  let network: InitNetwork = { kind: "none" };
  const files: string[] = [];
  const dirs: string[] = [];
  if (net.kind === "static") network = { kind: "static", interface: net.interface, address: net.address, prefix: net.prefix, ...(net.gateway === undefined ? {} : { gateway: net.gateway }) };
  if (net.kind === "dhcp") {
    const client = await dhcpClient(store, dhcpPackages, image);
    stage.push(...client.files);
    files.push(...client.files.map((f) => f.path));
    dirs.push(...client.dirs);
    network = { kind: "dhcp", interface: net.interface, client: client.path, timeout: DHCP_TIMEOUT };
  }
  const has = (path: string) => image.entries.some((e) => e.path === path);
  const etc = etcFiles(params, image);
  const startPort = unprivilegedPortStart(params.ports, params.user.uid);
  const init = initElf(
    initPlanOf(params, params.arch as "amd64" | "arm64", params.onExit, {
      modules: modules.map((m) => m.path),
      hostname: params.name,
      network,
      resolvConf: net.kind === "dhcp" && !has("/etc/resolv.conf"),
      ...(startPort === undefined ? {} : { unprivilegedPortStart: startPort }),
      stageFiles: files,
      stageDirs: [...dirs, ...(stage.some((f) => f.path.startsWith(`${BOOT_STAGE_DIR}/`)) ? [BOOT_STAGE_DIR] : [])],
    }),
  );
  const bytes = await buildInitramfs(image, init, (sha) => store.read(sha), params.epoch, stage, etc);
  const { sha256, size } = await store.putBytes(bytes);
  return { digest: `sha256:${sha256}`, size };
}

/** Seconds the DHCP client waits for a lease before the program starts without one. */
const DHCP_TIMEOUT = 30;

/**
 * `/etc/hosts` (localhost and the host name) and, for a static address with DNS servers,
 * `/etc/resolv.conf`: written into the initramfs unless the image has its own.
 */
function etcFiles(params: InitramfsParams, image: ImageTree): { path: string; data: Uint8Array }[] {
  const has = (path: string) => image.entries.some((e) => e.path === path);
  const out: { path: string; data: Uint8Array }[] = [];
  const text = (s: string) => new TextEncoder().encode(s);
  if (!has("/etc/hosts")) out.push({ path: "/etc/hosts", data: text(`127.0.0.1\tlocalhost\n127.0.1.1\t${params.name}\n::1\tlocalhost ip6-localhost ip6-loopback\n`) });
  const net = params.network;
  if (net.kind === "static" && net.dns.length > 0 && !has("/etc/resolv.conf")) out.push({ path: "/etc/resolv.conf", data: text(net.dns.map((d) => `nameserver ${d}\n`).join("")) });
  return out;
}

/**
 * klibc's ipconfig, as boot-stage files: the program in BOOT_STAGE_DIR, and klibc itself at
 * the path the program names as its interpreter (through the image's own links, such as
 * /lib -> usr/lib); directories made for it are listed to be removed after.
 */
async function dhcpClient(store: BlobStore, packages: readonly { deb: string }[], image: ImageTree): Promise<{ path: string; files: BootFile[]; dirs: string[] }> {
  const manifests = await Promise.all(packages.map((p) => unpackDeb(store, p.deb)));
  const contents = packageFiles(store, manifests);
  const find = async (path: string) => {
    for (const m of manifests) {
      const e = m.entries.find((x) => x.kind === "file" && (x.path === path || x.path === `/usr${path}`));
      if (e?.kind === "file") return contents.read(e.sha256);
    }
    throw new Error(`the DHCP client's packages have no ${path}`);
  };
  const program = await find(IN_PACKAGE.ipconfig);
  const interpreter = readElf(program).interpreter;
  if (interpreter === undefined) throw new Error(`${IN_PACKAGE.ipconfig} names no interpreter`);
  const library = await find(interpreter);
  const placed = placeInTree(image, interpreter);
  const path = `${BOOT_STAGE_DIR}/ipconfig`;
  return { path, files: [{ path, data: program, mode: 0o700 }, { path: placed.path, data: library, mode: 0o755 }], dirs: placed.made };
}

/**
 * Where a file at `path` lands in the image tree: each leading directory that is a relative
 * link in the tree followed (`/lib` -> `usr/lib`), and the directories the tree lacks, which
 * the boot stage makes and removes.
 */
function placeInTree(image: ImageTree, path: string): { path: string; made: string[] } {
  const byPath = new Map(image.entries.map((e) => [e.path, e]));
  const parts = path.split("/").filter(Boolean);
  const name = parts.pop() as string;
  let dir = "";
  const made: string[] = [];
  for (const part of parts) {
    const next = `${dir}/${part}`;
    const entry = byPath.get(next);
    if (entry?.kind === "symlink" && !entry.target.startsWith("/") && !entry.target.includes("..")) dir = `${dir}/${entry.target}`.replace(/\/+/g, "/");
    else {
      if (entry === undefined) made.push(next);
      dir = next;
    }
  }
  return { path: `${dir}/${name}`, made: made.reverse() };
}

/** The boot files of each architecture of an `iso` or `disk` step: its initramfs, kernel and bootloaders. */
async function bootsOf(store: BlobStore, params: IsoParams, inputs: readonly unknown[]): Promise<ArchBoot[]> {
  const images = params.images as readonly { arch: "amd64" | "arm64"; cmdline: string; packages: number }[];
  const boots: ArchBoot[] = [];
  let at = 0;
  for (const image of images) {
    const initramfs = inputs[at] as Blob;
    const unpacked = inputs.slice(at + 1, at + 1 + image.packages) as { name: string; deb: string }[];
    at += 1 + image.packages;
    const manifests: PackageManifest[] = [];
    for (const u of unpacked) manifests.push(await unpackDeb(store, u.deb));
    const contents = packageFiles(store, manifests);
    const find = async (path: string) => {
      for (const m of manifests) {
        const e = m.entries.find((x) => x.path === path && x.kind === "file");
        if (e?.kind === "file") return contents.read(e.sha256);
      }
      return undefined;
    };
    const systemdBoot = await find(IN_PACKAGE.systemdBoot[image.arch]);
    if (systemdBoot === undefined) throw new Error(`systemd-boot-efi has no ${IN_PACKAGE.systemdBoot[image.arch]} for ${image.arch}`);
    const bin = image.arch === "amd64" ? await find(IN_PACKAGE.isolinux) : undefined;
    const ldlinux = image.arch === "amd64" ? await find(IN_PACKAGE.ldlinux) : undefined;
    boots.push({
      arch: image.arch,
      kernel: await kernelOf(manifests, contents),
      initrd: await store.read(initramfs.digest.replace(/^sha256:/, "")),
      cmdline: image.cmdline,
      systemdBoot,
      ...(bin === undefined || ldlinux === undefined ? {} : { isolinux: { bin, ldlinux } }),
    });
  }
  return boots;
}

/** The `iso` step: for each architecture its initramfs, kernel and bootloaders, into one ISO in the cache. */
export async function isoStep(store: BlobStore, params: IsoParams, inputs: readonly unknown[]): Promise<Blob> {
  const boots = await bootsOf(store, params, inputs);
  const chunks = bootIso({ volumeId: params.name.toUpperCase().replace(/[^A-Z0-9_]/g, "_").slice(0, 32) || "MCC", epoch: params.epoch, boots });
  // Straight into the cache: the store hashes while it writes, under a temporary name.
  const { sha256, size } = await store.put(
    (async function* () {
      yield* chunks;
    })(),
  );
  return { digest: `sha256:${sha256}`, size };
}

/** The `disk` step: a GPT disk whose EFI System Partition boots every architecture built (UEFI), raw, in the cache. */
export async function diskStep(store: BlobStore, params: IsoParams, inputs: readonly unknown[]): Promise<Blob> {
  const { chunks } = bootDisk({ name: params.name, epoch: params.epoch, boots: await bootsOf(store, params, inputs) });
  const { sha256, size } = await store.put(
    (async function* () {
      yield* chunks;
    })(),
  );
  return { digest: `sha256:${sha256}`, size };
}

/** Writes a qcow2 output: the cached raw disk, its zero clusters left out. */
export async function emitQcow2(host: Host, store: BlobStore, disk: Blob, target: string): Promise<void> {
  const raw = await store.read(disk.digest.replace(/^sha256:/, ""));
  await replaceFile(host, target, (temp) => host.createFile(temp, Buffer.concat(qcow2(raw))));
}

/**
 * The module files of the kernel package that `wanted` and `required` need, in load order, as
 * boot-stage files (`/.mcc-boot/NAME.ko`, decompressed when the package ships `.ko.xz`). Only
 * the files on the way are read: each wanted module's, then those its `.modinfo` depends on,
 * and the candidates for its soft dependencies. A
 * wanted module the kernel lacks is skipped (mcc's defaults cover kernels of every kind); a
 * required one (the spec's) is a `MissingModules`.
 */
async function kernelModules(packageName: string, kernel: PackageManifest, store: BlobStore, wanted: readonly string[], required: readonly string[]): Promise<BootFile[]> {
  const contents = packageFiles(store, [kernel]);
  const files = new Map<string, string>();
  let builtinList: string | undefined;
  for (const e of kernel.entries) {
    if (e.kind !== "file" || !/^(\/usr)?\/lib\/modules\/[^/]+\//.test(e.path)) continue;
    if (/\.ko(\.xz)?$/.test(e.path)) files.set(moduleName(e.path), e.sha256);
    else if (e.path.endsWith("/modules.builtin")) builtinList = e.sha256;
  }
  const builtin = new Set(builtinList === undefined ? [] : new TextDecoder().decode(await contents.read(builtinList)).split("\n").filter(Boolean).map(moduleName));
  const paths = new Map(kernel.entries.filter((e) => e.kind === "file").map((e) => [moduleName(e.path), e.path]));
  const read = new Map<string, { module: KernelModule; data: Uint8Array }>();
  const all = [...wanted, ...required];
  const queue = all.map(moduleName);
  const bytes = new Map<string, Uint8Array>();
  const moduleBytes = async (name: string): Promise<Uint8Array> => {
    let data = bytes.get(name);
    if (data === undefined) {
      const raw = await contents.read(files.get(name) as string);
      data = (paths.get(name) as string).endsWith(".xz") ? await collect(decompressStream("xz", (async function* () { yield raw; })())) : raw;
      bytes.set(name, data);
    }
    return data;
  };
  const moduleInfo = async (name: string) => readModinfo(await moduleBytes(name));
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const sha = files.get(name);
    if (read.has(name) || builtin.has(name) || sha === undefined) continue;
    const path = paths.get(name) as string;
    const data = await moduleBytes(name);
    const info = readModinfo(data);
    // A soft dependency is a module of that name, or those named after it that answer to it
    // as an alias (their own .modinfo says so).
    const pre: string[] = [];
    for (const soft of info.softdeps) {
      for (const candidate of softdepCandidates(soft, files.keys())) {
        if (candidate === moduleName(soft)) pre.push(candidate);
        else if ((await moduleInfo(candidate)).aliases.includes(soft)) pre.push(candidate);
      }
    }
    read.set(name, { module: { ...info, path, pre }, data });
    queue.push(...pre, ...info.depends);
  }
  const { order, missing } = moduleLoadOrder([...read.values()].map((r) => r.module), builtin, all);
  const lacking = required.filter((name) => missing.includes(moduleName(name)));
  if (lacking.length > 0) {
    const names = [...new Set([...files.keys(), ...builtin])];
    throw new MissingModules(packageName, lacking.map((name) => {
      const close = didYouMean(moduleName(name), names);
      return close === undefined ? { name } : { name, close };
    }));
  }
  return order.map((m) => ({ path: `${BOOT_STAGE_DIR}/${m.name}.ko`, data: (read.get(m.name) as { data: Uint8Array }).data, mode: 0o600 }));
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** `/boot/vmlinuz-*` of the kernel package. */
async function kernelOf(manifests: readonly PackageManifest[], contents: FileContents): Promise<Uint8Array> {
  for (const m of manifests) {
    const e = m.entries.find((x) => x.kind === "file" && /^\/boot\/vmlinu[xz]-/.test(x.path));
    if (e?.kind === "file") return contents.read(e.sha256);
  }
  throw new Error("the kernel package has no /boot/vmlinuz-*");
}

/** Writes an ISO output: the cached image copied into place. */
export async function emitIso(host: Host, store: BlobStore, iso: Blob, target: string): Promise<void> {
  await replaceFile(host, target, (temp) => host.copyFile(store.pathOf(iso.digest.replace(/^sha256:/, "")), temp));
}

/** Writes a kernel+initrd output: `vmlinuz`, `initrd.img` and `cmdline`, for `qemu -kernel` or network boot. */
export async function emitKernelInitrd(host: Host, store: BlobStore, initramfs: Blob, kernelDeb: { deb: string }, cmdline: string, target: string): Promise<void> {
  const manifest = await unpackDeb(store, kernelDeb.deb);
  const kernel = await kernelOf([manifest], packageFiles(store, [manifest]));
  await replaceDirectory(host, target, async (dir) => {
    await host.createFile(join(dir, "vmlinuz"), kernel);
    await host.copyFile(store.pathOf(initramfs.digest.replace(/^sha256:/, "")), join(dir, "initrd.img"));
    await host.createFile(join(dir, "cmdline"), `${cmdline}\n`);
  });
}
