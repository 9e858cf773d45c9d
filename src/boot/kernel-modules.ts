// The kernel modules an appliance loads at boot, taken from the locked kernel package. A .deb
// of a Debian kernel ships its modules and `modules.builtin`, but no `modules.dep` (depmod
// writes it when the package is installed), so the order is computed here from each module's
// own `.modinfo` section: its `name=`, `depends=`, and `softdep=pre:` (what the kernel asks
// modprobe for first, by alias: ext4 and jbd2 ask for `crypto-crc32c`). Pure.

/**
 * The modules every appliance asks for, and why: Debian builds these as modules, so without
 * them a VM has no disk, no network card and no power button. Those the kernel has built in
 * are skipped, those it does not have at all too (virtio_mmio exists only where the machine
 * has such devices).
 */
export const DEFAULT_MODULES: readonly { readonly name: string; readonly why: string }[] = [
  { name: "virtio_pci", why: "virtio devices on PCI (qemu's and most clouds' disks and network cards)" },
  { name: "virtio_mmio", why: "virtio devices on memory-mapped buses (arm64 virt machines)" },
  { name: "virtio_net", why: "the virtio network card" },
  { name: "virtio_blk", why: "virtio disks" },
  { name: "virtio_rng", why: "entropy from the host, so programs do not wait for random numbers" },
  { name: "button", why: "the ACPI power button (a clean shutdown)" },
  { name: "gpio_keys", why: "the power button of device-tree machines (arm64 virt: a key on a GPIO line)" },
  { name: "evdev", why: "input events, through which the power button is read" },
  { name: "ext4", why: "the file system of volumes' disks and the debugging toolkit's disk (a module on arm64, built in on amd64's cloud kernel)" },
];

/** What `.modinfo` says of a module. */
export interface ModuleInfo {
  readonly name: string;
  readonly depends: readonly string[];
  /** `softdep=pre:` names: modules or aliases, wanted before this one if the kernel has them. */
  readonly softdeps: readonly string[];
  /** `alias=` names it answers to (`crypto-crc32c`, `fs-ext4`). */
  readonly aliases: readonly string[];
}

/** A module file of the kernel package. */
export interface KernelModule extends ModuleInfo {
  /** Its path in the package. */
  readonly path: string;
  /** Its soft dependencies as the module files that provide them (none when the kernel has none). */
  readonly pre?: readonly string[];
}

/**
 * The module names that may provide a soft dependency: the name itself, and, for an alias such
 * as `crypto-crc32c`, the modules named after what it names (`crc32c`, `crc32c_generic`,
 * `crc32c_intel`). Which of them do is for their own `alias=` to say.
 */
export function softdepCandidates(softdep: string, names: Iterable<string>): string[] {
  const stem = moduleName(softdep.replace(/^[a-z]+-/, ""));
  return [...names].filter((n) => n === moduleName(softdep) || n === stem || n.startsWith(`${stem}_`)).sort();
}

/** Module names use `_` where file names may use `-`. */
export function moduleName(fileOrName: string): string {
  return (fileOrName.split("/").pop() ?? "").replace(/\.ko(\.(xz|gz|zst))?$/, "").replace(/-/g, "_");
}

/** The `key=value` strings of an ELF64 little-endian relocatable object's `.modinfo` section. */
export function readModinfo(ko: Uint8Array): ModuleInfo {
  const view = new DataView(ko.buffer, ko.byteOffset, ko.byteLength);
  const fail = (why: string): never => {
    throw new Error(`not a kernel module: ${why}`);
  };
  if (ko.length < 64 || view.getUint32(0, false) !== 0x7f454c46) fail("no ELF header");
  if (ko[4] !== 2 || ko[5] !== 1) fail("not a 64-bit little-endian ELF file");
  const shoff = Number(view.getBigUint64(0x28, true));
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);
  const shstrndx = view.getUint16(0x3e, true);
  if (shentsize < 64 || shoff + shnum * shentsize > ko.length || shstrndx >= shnum) fail("its section headers lie outside the file");
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    const offset = Number(view.getBigUint64(at + 0x18, true));
    const size = Number(view.getBigUint64(at + 0x20, true));
    if (offset + size > ko.length) fail(`section ${i} lies outside the file`);
    return { name: view.getUint32(at, true), bytes: ko.subarray(offset, offset + size) };
  };
  const names = section(shstrndx).bytes;
  const nameOf = (at: number) => {
    let end = at;
    while (end < names.length && names[end] !== 0) end++;
    return new TextDecoder().decode(names.subarray(at, end));
  };
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameOf(s.name) !== ".modinfo") continue;
    const fields = new Map<string, string[]>();
    for (const entry of new TextDecoder().decode(s.bytes).split("\0")) {
      const eq = entry.indexOf("=");
      if (eq > 0) fields.set(entry.slice(0, eq), [...(fields.get(entry.slice(0, eq)) ?? []), entry.slice(eq + 1)]);
    }
    const name = fields.get("name")?.[0];
    if (name === undefined) fail("its .modinfo has no name=");
    // `softdep=pre: a b post: c`: the names between `pre:` and the next section.
    const softdeps = (fields.get("softdep") ?? []).flatMap((text) => {
      const words = text.trim().split(/\s+/);
      const pre: string[] = [];
      let inPre = false;
      for (const w of words) {
        if (w.endsWith(":")) inPre = w === "pre:";
        else if (inPre) pre.push(w);
      }
      return pre;
    });
    return { name: moduleName(name as string), depends: (fields.get("depends")?.[0] ?? "").split(",").filter(Boolean).map(moduleName), softdeps, aliases: fields.get("alias") ?? [] };
  }
  return fail("no .modinfo section");
}

/**
 * The modules to load, dependencies first: each wanted module (in the order given) after its
 * soft dependencies the kernel has (`pre`, in order) and what it depends on (depth first, in
 * name order), each once. Built-in modules are skipped, and so
 * are their names among the dependencies. A wanted module the kernel has neither built in nor
 * as a file is returned in `missing`; a dependency that is neither is an error (the package is
 * inconsistent).
 */
export function moduleLoadOrder(available: readonly KernelModule[], builtin: ReadonlySet<string>, wanted: readonly string[]): { order: KernelModule[]; missing: string[] } {
  const byName = new Map(available.map((m) => [m.name, m]));
  const order: KernelModule[] = [];
  const done = new Set<string>();
  const missing: string[] = [];
  const visit = (name: string, chain: readonly string[]) => {
    if (done.has(name) || builtin.has(name)) return;
    if (chain.includes(name)) throw new Error(`the kernel's modules depend on each other in a circle: ${[...chain, name].join(" -> ")}`);
    const m = byName.get(name);
    if (m === undefined) throw new Error(`the kernel module ${chain[chain.length - 1]} depends on ${name}, which the kernel package has not`);
    // Soft dependencies first, where the kernel has them (modprobe's `pre:`); never in a circle.
    for (const d of m.pre ?? []) if (byName.has(d) && !chain.includes(d)) visit(d, [...chain, name]);
    for (const d of [...m.depends].sort()) visit(d, [...chain, name]);
    done.add(name);
    order.push(m);
  };
  for (const raw of wanted) {
    const name = moduleName(raw);
    if (builtin.has(name) || done.has(name)) continue;
    if (!byName.has(name)) {
      missing.push(name);
      continue;
    }
    visit(name, []);
  }
  return { order, missing };
}
