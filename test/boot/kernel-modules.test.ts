// Kernel modules from a Debian kernel package: .modinfo read from the ELF file itself (the
// package has no modules.dep), and the load order computed from it. Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { moduleLoadOrder, moduleName, readModinfo, type KernelModule } from "../../src/boot/kernel-modules.js";

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
  });
  assert.equal(readModinfo(ko("depends=\0name=evdev\0")).depends, []);
  assert.is(moduleName("/lib/modules/6.12.0/kernel/drivers/net/net-failover.ko.xz"), "net_failover");
  assert.throws(() => readModinfo(new Uint8Array(100)), /not a kernel module: no ELF header/);
  assert.throws(() => readModinfo(ko("depends=\0")), /no name=/);
  const truncated = ko("name=x\0").subarray(0, 80);
  assert.throws(() => readModinfo(truncated), /outside the file/);
});

const mod = (name: string, ...depends: string[]): KernelModule => ({ name, depends, path: `/lib/modules/v/${name}.ko` });

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
