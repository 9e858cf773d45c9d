// What an appliance's network comes to before any machine code: the default (DHCP with ports),
// the lowest port a user may bind, and the bytes the init hands to ioctl(2). Pure.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createData, layOut, SIOCADDRT, SIOCSIFADDR, SIOCSIFFLAGS, SIOCSIFNETMASK } from "../../src/boot/init-layout.js";
import { bootNetwork, initPlanOf, unprivilegedPortStart } from "../../src/boot/init-plan.js";
import type { Spec } from "../../src/types/spec.js";

const process_ = { executable: "/bin/busybox", args: [], env: {}, user: { name: "www", uid: 1000, gid: 1000 }, workdir: "/", mounts: [] } as unknown as Pick<Spec, "executable" | "args" | "env" | "user" | "workdir" | "mounts">;

test("DHCP by default when the spec declares ports, loopback only without; boot.network wins", () => {
  assert.equal(bootNetwork({ ports: [{ port: 80, protocol: "tcp" }] }), { kind: "dhcp", interface: "eth0" });
  assert.equal(bootNetwork({ ports: [] }), { kind: "none" });
  assert.equal(bootNetwork({ ports: [{ port: 80, protocol: "tcp" }], boot: { network: { kind: "none" } } }), { kind: "none" });
});

test("the lowest port below 1024 a user program declares; none for root or high ports", () => {
  assert.is(unprivilegedPortStart([{ port: 8080, protocol: "tcp" }, { port: 443, protocol: "tcp" }, { port: 80, protocol: "tcp" }], 1000), 80);
  assert.is(unprivilegedPortStart([{ port: 80, protocol: "tcp" }], 0), undefined);
  assert.is(unprivilegedPortStart([{ port: 8080, protocol: "tcp" }], 1000), undefined);
});

test("a static address: SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS (up, multicast), SIOCADDRT via the gateway on the card", () => {
  const plan = initPlanOf(process_, "amd64", "poweroff", { network: { kind: "static", interface: "eth0", address: "192.168.10.20", prefix: 25, gateway: "192.168.10.1" } });
  const data = createData(0x400000);
  const l = layOut(plan, data);
  const bytes = data.bytes();
  const at = (address: number, length: number) => Buffer.from(bytes.subarray(address - 0x400000, address - 0x400000 + length));
  assert.equal(
    l.ioctls.map((io) => io.request),
    [SIOCSIFFLAGS, SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFFLAGS, SIOCADDRT],
  );
  const [lo, address, mask, up, route] = l.ioctls.map((io) => at(io.arg, io.request === SIOCADDRT ? 120 : 40));
  assert.is(lo?.subarray(0, 3).toString("latin1"), "lo\0");
  assert.is(lo?.readUInt16LE(16), 0x1);
  assert.is(address?.subarray(0, 5).toString("latin1"), "eth0\0");
  assert.equal([address?.readUInt16LE(16), [...(address?.subarray(20, 24) ?? [])]], [2, [192, 168, 10, 20]]);
  assert.equal([...(mask?.subarray(20, 24) ?? [])], [255, 255, 255, 128]);
  assert.is(up?.readUInt16LE(16), 0x1001);
  // struct rtentry: gateway at 24 (sockaddr_in), flags RTF_UP|RTF_GATEWAY at 56, rt_dev at 88.
  assert.equal([route?.readUInt16LE(24), [...(route?.subarray(28, 32) ?? [])], route?.readUInt16LE(56)], [2, [192, 168, 10, 1], 3]);
  const device = Number(route?.readBigUInt64LE(88));
  assert.is(at(device, 5).toString("latin1"), "eth0\0");
  assert.is(l.dhcp, undefined);
});

test("DHCP: klibc's ipconfig on the interface, with a timeout; resolv.conf only when the image has none", () => {
  const plan = initPlanOf(process_, "arm64", "poweroff", { network: { kind: "dhcp", interface: "eth0", client: "/.mcc-boot/ipconfig", timeout: 30 }, resolvConf: true });
  const data = createData(0x400000);
  const l = layOut(plan, data);
  const bytes = Buffer.from(data.bytes());
  const cstring = (address: number) => {
    const start = address - 0x400000;
    return bytes.subarray(start, bytes.indexOf(0, start)).toString("latin1");
  };
  const argv: string[] = [];
  for (let at = (l.dhcp?.argv ?? 0) - 0x400000; bytes.readBigUInt64LE(at) !== 0n; at += 8) argv.push(cstring(Number(bytes.readBigUInt64LE(at))));
  assert.equal(argv, ["ipconfig", "-t", "30", "-c", "dhcp", "-d", "eth0"]);
  assert.is(cstring(l.dhcp?.lease ?? 0), "/run/net-eth0.conf");
  assert.is(cstring(l.dhcp?.resolv ?? 0), "/etc/resolv.conf");
  const without = layOut({ ...plan, resolvConf: false }, createData(0x400000));
  assert.is(without.dhcp?.resolv, undefined);
});

test.run();
