// A raw disk image as qcow2 (version 2, qemu's docs/interop/qcow2.txt): 64 KiB clusters, only
// the clusters that are not all zero stored, every count and offset a function of the raw
// bytes, so the same disk gives the same file. What OpenStack, Proxmox and libvirt import. Pure.

const CLUSTER_BITS = 16;
const CLUSTER = 1 << CLUSTER_BITS;
const L2_ENTRIES = CLUSTER / 8;
const REFCOUNTS_PER_BLOCK = CLUSTER / 2;
const COPIED = 1n << 63n;

export function qcow2(raw: Uint8Array): Uint8Array[] {
  const clusters = Math.ceil(raw.length / CLUSTER);
  const data: number[] = [];
  for (let c = 0; c < clusters; c++) {
    const slice = raw.subarray(c * CLUSTER, Math.min(raw.length, (c + 1) * CLUSTER));
    if (slice.some((b) => b !== 0)) data.push(c);
  }
  const l1Size = Math.ceil(clusters / L2_ENTRIES);
  const l2Used = [...new Set(data.map((c) => Math.floor(c / L2_ENTRIES)))].sort((a, b) => a - b);
  const l1Clusters = Math.max(1, Math.ceil((l1Size * 8) / CLUSTER));
  // The refcount blocks count the clusters they and the refcount table take too: a fixed point.
  let refBlocks = 1;
  let refTable = 1;
  for (;;) {
    const total = 1 + refTable + refBlocks + l1Clusters + l2Used.length + data.length;
    const blocks = Math.ceil(total / REFCOUNTS_PER_BLOCK);
    const table = Math.ceil((blocks * 8) / CLUSTER);
    if (blocks === refBlocks && table === refTable) break;
    refBlocks = blocks;
    refTable = table;
  }
  const refTableAt = 1;
  const refBlocksAt = refTableAt + refTable;
  const l1At = refBlocksAt + refBlocks;
  const l2At = l1At + l1Clusters;
  const dataAt = l2At + l2Used.length;
  const total = dataAt + data.length;

  const header = new Uint8Array(CLUSTER);
  const h = new DataView(header.buffer);
  header.set([0x51, 0x46, 0x49, 0xfb], 0);
  h.setUint32(4, 2, false); // version
  h.setUint32(20, CLUSTER_BITS, false);
  h.setBigUint64(24, BigInt(raw.length), false); // the virtual size
  h.setUint32(32, 0, false); // no encryption
  h.setUint32(36, l1Size, false);
  h.setBigUint64(40, BigInt(l1At * CLUSTER), false);
  h.setBigUint64(48, BigInt(refTableAt * CLUSTER), false);
  h.setUint32(56, refTable, false);

  const table = new Uint8Array(refTable * CLUSTER);
  for (let b = 0; b < refBlocks; b++) new DataView(table.buffer).setBigUint64(8 * b, BigInt((refBlocksAt + b) * CLUSTER), false);
  const blocks = new Uint8Array(refBlocks * CLUSTER);
  for (let c = 0; c < total; c++) new DataView(blocks.buffer).setUint16(2 * c, 1, false);

  const l1 = new Uint8Array(l1Clusters * CLUSTER);
  l2Used.forEach((index, i) => new DataView(l1.buffer).setBigUint64(8 * index, BigInt((l2At + i) * CLUSTER) | COPIED, false));
  const l2 = new Uint8Array(l2Used.length * CLUSTER);
  data.forEach((c, i) => {
    const table = l2Used.indexOf(Math.floor(c / L2_ENTRIES));
    new DataView(l2.buffer).setBigUint64(table * CLUSTER + 8 * (c % L2_ENTRIES), BigInt((dataAt + i) * CLUSTER) | COPIED, false);
  });
  const out: Uint8Array[] = [header, table, blocks, l1, l2];
  for (const c of data) {
    const slice = raw.subarray(c * CLUSTER, Math.min(raw.length, (c + 1) * CLUSTER));
    out.push(slice, ...(slice.length < CLUSTER ? [new Uint8Array(CLUSTER - slice.length)] : []));
  }
  return out;
}
