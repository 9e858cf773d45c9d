// Kernel modules from a Debian kernel package: .modinfo read from the ELF file itself (the
// package has no modules.dep), and the load order computed from it. Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { moduleLoadOrder, moduleName, readModinfo, softdepCandidates, type KernelModule } from "../../src/boot/kernel-modules.js";

/** A minimal ELF64 little-endian relocatable object with a .modinfo and a .shstrtab section. */
function ko(modinfo: string): Uint8Array {
  const info = new TextEncoder().encode(modinfo);
  const names = new TextEncoder().encode("\0.modinfo\0.shstrtab\0");
  const infoAt = 64;
  const namesAt = infoAt + info.length;
  const shoff = (namesAt + names.length + 7) & ~7;
  const out = new Uint8Array(shoff + 3 * 64);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0);
  v.setUint16(16, 1, true); // ET_REL
  v.setBigUint64(0x28, BigInt(shoff), true);
  v.setUint16(0x3a, 64, true);
  v.setUint16(0x3c, 3, true);
  v.setUint16(0x3e, 2, true);
  out.set(info, infoAt);
  out.set(names, namesAt);
  const section = (i: number, name: number, offset: number, size: number) => {
    v.setUint32(shoff + 64 * i, name, true);
    v.setBigUint64(shoff + 64 * i + 0x18, BigInt(offset), true);
    v.setBigUint64(shoff + 64 * i + 0x20, BigInt(size), true);
  };
  section(1, 1, infoAt, info.length);
  section(2, 10, namesAt, names.length);
  return out;
}

test("name= and depends= from .modinfo; file names with - are module names with _", () => {
  assert.equal(readModinfo(ko("license=GPL\0depends=virtio,virtio_ring,net-failover\0name=virtio_net\0vermagic=6.1.0\0")), {
    name: "virtio_net",
    depends: ["virtio", "virtio_ring", "net_failover"],
    softdeps: [],
    aliases: [],
  });
  assert.equal(readModinfo(ko("depends=\0name=evdev\0")).depends, []);
  assert.is(moduleName("/lib/modules/6.12.0/kernel/drivers/net/net-failover.ko.xz"), "net_failover");
  assert.throws(() => readModinfo(new Uint8Array(100)), /not a kernel module: no ELF header/);
  assert.throws(() => readModinfo(ko("depends=\0")), /no name=/);
  const truncated = ko("name=x\0").subarray(0, 80);
  assert.throws(() => readModinfo(truncated), /outside the file/);
});

test("softdep=pre: names (not post:) and every alias=, as ext4 and crc32c_generic carry them", () => {
  const ext4 = readModinfo(ko("alias=fs-ext4\0alias=ext3\0softdep=pre: crypto-crc32c\0depends=jbd2,mbcache,crc16\0name=ext4\0"));
  assert.equal(ext4.softdeps, ["crypto-crc32c"]);
  assert.equal(ext4.aliases, ["fs-ext4", "ext3"]);
  assert.equal(readModinfo(ko("softdep=pre: a b post: c pre: d\0name=x\0")).softdeps, ["a", "b", "d"]);
  const generic = readModinfo(ko("alias=crypto-crc32c-generic\0alias=crc32c-generic\0alias=crypto-crc32c\0alias=crc32c\0depends=\0name=crc32c_generic\0"));
  assert.ok(generic.aliases.includes("crypto-crc32c"));
  // The candidates are the modules named after what the alias names; their alias= decides.
  assert.equal(softdepCandidates("crypto-crc32c", ["crc32c_generic", "crc32c_intel", "libcrc32c", "crc16", "ext4"]), ["crc32c_generic", "crc32c_intel"]);
  assert.equal(softdepCandidates("virtio_ring", ["virtio_ring", "virtio"]), ["virtio_ring"]);
});

const mod = (name: string, ...depends: string[]): KernelModule => ({ name, depends, softdeps: [], aliases: [], path: `/lib/modules/v/${name}.ko` });

test("soft dependencies the kernel has come first; those it has not are left out, not errors", () => {
  const ext4: KernelModule = { ...mod("ext4", "jbd2", "mbcache", "crc16"), pre: ["crc32c_generic", "crc32c_missing"] };
  const jbd2: KernelModule = { ...mod("jbd2"), pre: ["crc32c_generic"] };
  const { order } = moduleLoadOrder([ext4, jbd2, mod("mbcache"), mod("crc16"), mod("crc32c_generic")], new Set(), ["ext4"]);
  assert.equal(order.map((m) => m.name), ["crc32c_generic", "crc16", "jbd2", "mbcache", "ext4"]);
  // A soft dependency that leads back is not a circle: it is skipped.
  const loop = moduleLoadOrder([{ ...mod("a"), pre: ["b"] }, { ...mod("b"), pre: ["a"] }], new Set(), ["a"]);
  assert.equal(loop.order.map((m) => m.name), ["b", "a"]);
});

test("dependencies first, each once, built-in ones skipped; a wanted module the kernel lacks is reported, not guessed", () => {
  const available = [mod("virtio_net", "virtio", "virtio_ring", "net_failover"), mod("net_failover", "failover"), mod("failover"), mod("virtio_blk", "virtio", "virtio_ring"), mod("virtio_pci", "virtio", "virtio_ring", "virtio_pci_modern_dev"), mod("virtio_pci_modern_dev"), mod("virtio"), mod("virtio_ring")];
  const { order, missing } = moduleLoadOrder(available, new Set(["virtio", "virtio_ring"]), ["virtio_pci", "virtio-mmio", "virtio_net", "virtio_blk", "virtio"]);
  assert.equal(
    order.map((m) => m.name),
    ["virtio_pci_modern_dev", "virtio_pci", "failover", "net_failover", "virtio_net", "virtio_blk"],
  );
  assert.equal(missing, ["virtio_mmio"]);
  assert.throws(() => moduleLoadOrder([mod("a", "b")], new Set(), ["a"]), /a depends on b, which the kernel package has not/);
  assert.throws(() => moduleLoadOrder([mod("a", "b"), mod("b", "a")], new Set(), ["a"]), /circle: a -> b -> a/);
});

test.run();
