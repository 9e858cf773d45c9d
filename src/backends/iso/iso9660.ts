import { bootCatalog, bootRecordDescriptor, type BootEntry, BIOS_LOAD_SECTORS, efiLoadSectors, PLATFORM_EFI, PLATFORM_X86, withBootInfoTable } from "./el-torito.js";
import { buildFileTree, directoriesOf, sortTree, type TreeDirectory, type TreeFile, type TreeInput, type TreeNode } from "./file-tree.js";
import { checkVolumeId, primaryDescriptor, terminatorDescriptor } from "./iso-descriptors.js";
import { directorySize, encodeDirectory, type Extent, pathTable } from "./iso-directory.js";
import { calendarOf, SECTOR, sectorsFor } from "./iso-fields.js";
import { checkIsoName, compareIsoNames, MAX_DIRECTORY_DEPTH } from "./iso-names.js";

/** What goes on the ISO: its files, and how it boots. */
export interface IsoOptions {
  /** The volume identifier (1 to 32 of A-Z, 0-9, _), what desktops show as the disc's name. */
  readonly volumeId: string;
  /** SOURCE_DATE_EPOCH, in seconds: every date on the volume. */
  readonly epoch: number;
  /** Absolute paths with level 1 names (8.3, A-Z 0-9 _; lower case is folded up). */
  readonly files: readonly TreeInput[];
  /**
   * Files whose content is a range of another file's (`of`), starting `offset` bytes into it,
   * a multiple of 2048: their records name those sectors, so the bytes are written once. The
   * kernel and initramfs inside the EFI System Partition image are named this way for ISOLINUX.
   */
  readonly aliases?: readonly IsoAlias[];
  readonly boot?: IsoBoot;
}

/** A file of the ISO that is a range of another file's content. */
export interface IsoAlias {
  readonly path: string;
  readonly of: string;
  readonly offset: number;
  readonly size: number;
}

/** El Torito boot images, each a path of one of the files. */
export interface IsoBoot {
  /** isolinux.bin and where the boot catalog appears in the tree (e.g. `/ISOLINUX/BOOT.CAT`). */
  readonly bios?: { readonly image: string; readonly catalog: string };
  /** A FAT image holding `/EFI/BOOT/BOOTX64.EFI`, the EFI System Partition. */
  readonly efi?: { readonly image: string };
}

/** The first 16 sectors: the system area, zero (no hybrid MBR). */
const SYSTEM_AREA = 16;

/**
 * Writes an ISO 9660 image (ECMA-119, interchange level 1, no Rock Ridge or Joliet), with El
 * Torito boot entries when `boot` is given: a no-emulation BIOS entry loading 4 sectors of
 * isolinux.bin (with its boot info table patched into the image's copy) and a no-emulation
 * EFI entry for a FAT image. Pure: the result is the list of chunks whose concatenation is the
 * image, file contents passed through as given (not copied), so large kernels and initrds
 * cost no memory twice. The layout is fixed by the names alone (see docs/iso.md), and every
 * date is the epoch, so the same input always gives the same bytes.
 */
export function writeIso(options: IsoOptions): Buffer[] {
  const time = calendarOf(options.epoch);
  const volumeId = checkVolumeId(options.volumeId);
  const bios = options.boot?.bios;
  const efi = options.boot?.efi;
  const booting = bios !== undefined || efi !== undefined;
  // The catalog is a file of the tree when it has a path; its content is written below.
  const catalogMarker = new Uint8Array(SECTOR);
  // An alias is a view of its container's bytes, known by that view.
  const aliasOf = new Map<Uint8Array, IsoAlias>();
  const aliasInputs = (options.aliases ?? []).map((a) => {
    const container = options.files.find((f) => f.path.toUpperCase() === a.of.toUpperCase());
    if (container === undefined) throw new Error(`ISO 9660: ${a.path} is a range of ${a.of}, which is not one of the files`);
    if (a.offset % SECTOR !== 0 || a.offset < 0 || a.size < 0 || a.offset + a.size > container.bytes.length) throw new Error(`ISO 9660: ${a.path} is not a sector-aligned range of ${a.of}`);
    const view = container.bytes.subarray(a.offset, a.offset + a.size);
    aliasOf.set(view, a);
    return { path: a.path, bytes: view };
  });
  const withAliases = [...options.files, ...aliasInputs];
  const inputs = bios === undefined ? withAliases : [...withAliases, { path: bios.catalog, bytes: catalogMarker }];
  const root = buildFileTree(inputs, "ISO 9660", checkIsoName);
  sortTree(root, compareIsoNames);
  const directories = directoriesOf(root);
  const parents = new Map<TreeDirectory, TreeDirectory>([[root, root]]);
  for (const dir of directories) {
    if (dir.depth > MAX_DIRECTORY_DEPTH) throw new Error(`ISO 9660: ${JSON.stringify(dir.path)} is deeper than the 8 directory levels ECMA-119 allows`);
    for (const child of dir.children) if (child.kind === "directory") parents.set(child, dir);
  }
  const parentOf = (dir: TreeDirectory) => parents.get(dir) ?? root;
  const files = directories.flatMap((d) => d.children.filter((c): c is TreeFile => c.kind === "file"));

  // Layout: descriptors, path tables, catalog, directories, then file contents.
  let next = SYSTEM_AREA;
  const pvdLba = next++;
  const bootRecordLba = booting ? next++ : 0;
  const terminatorLba = next++;
  const pathTableSize = pathTable(directories, parentOf, () => 0, false).length;
  const lPathTableLba = next;
  next += sectorsFor(pathTableSize);
  const mPathTableLba = next;
  next += sectorsFor(pathTableSize);
  const catalogLba = booting ? next++ : 0;
  const extents = new Map<TreeNode, Extent>();
  for (const dir of directories) {
    const size = directorySize(dir);
    extents.set(dir, { lba: next, size });
    next += size / SECTOR;
  }
  const metadataSectors = next;
  for (const file of files) {
    if (file.bytes === catalogMarker) {
      extents.set(file, { lba: catalogLba, size: SECTOR });
      continue;
    }
    if (aliasOf.has(file.bytes)) continue;
    if (file.bytes.length > 0xffffffff) throw new Error(`ISO 9660: ${file.path} is 4 GiB or more, which one extent cannot hold`);
    // An empty file has no extent; it points at sector 0, as mkisofs writes it.
    extents.set(file, { lba: file.bytes.length === 0 ? 0 : next, size: file.bytes.length });
    next += sectorsFor(file.bytes.length);
  }
  const totalSectors = next;
  for (const file of files) {
    const alias = aliasOf.get(file.bytes);
    if (alias === undefined) continue;
    const container = files.find((f) => f.path === alias.of.toUpperCase());
    const at = container === undefined ? undefined : extents.get(container);
    if (at === undefined) throw new Error(`ISO 9660: no extent for ${alias.of}`);
    extents.set(file, { lba: file.bytes.length === 0 ? 0 : at.lba + alias.offset / SECTOR, size: file.bytes.length });
  }
  const extentOf = (node: TreeNode): Extent => {
    const extent = extents.get(node);
    if (extent === undefined) throw new Error(`ISO 9660: no extent for ${node.path}`);
    return extent;
  };

  const head = Buffer.alloc(metadataSectors * SECTOR);
  const place = (lba: number, bytes: Buffer) => bytes.copy(head, lba * SECTOR);
  const rootExtent = extentOf(root);
  place(pvdLba, primaryDescriptor({ volumeId, sectors: totalSectors, pathTableSize, lPathTableLba, mPathTableLba, root: rootExtent, time }));
  place(terminatorLba, terminatorDescriptor());
  place(lPathTableLba, pathTable(directories, parentOf, (d) => extentOf(d).lba, false));
  place(mPathTableLba, pathTable(directories, parentOf, (d) => extentOf(d).lba, true));
  for (const dir of directories) place(extentOf(dir).lba, encodeDirectory(dir, parentOf(dir), extentOf, time));

  const lookup = new Map(files.map((f) => [f.path, f]));
  const bootFile = (path: string, what: string): TreeFile => {
    const file = lookup.get(path.replace(/[a-z]/g, (c) => c.toUpperCase()));
    if (file === undefined || file.bytes === catalogMarker) throw new Error(`El Torito: the ${what} ${JSON.stringify(path)} is not one of the files`);
    if (file.bytes.length === 0) throw new Error(`El Torito: the ${what} ${JSON.stringify(path)} is empty`);
    return file;
  };
  const biosFile = bios === undefined ? undefined : bootFile(bios.image, "BIOS boot image");
  const efiFile = efi === undefined ? undefined : bootFile(efi.image, "EFI boot image");
  if (booting) {
    const entries: BootEntry[] = [];
    if (biosFile !== undefined) entries.push({ platform: PLATFORM_X86, lba: extentOf(biosFile).lba, sectors: BIOS_LOAD_SECTORS });
    if (efiFile !== undefined) entries.push({ platform: PLATFORM_EFI, lba: extentOf(efiFile).lba, sectors: efiLoadSectors(efiFile.bytes.length) });
    place(bootRecordLba, bootRecordDescriptor(catalogLba));
    place(catalogLba, bootCatalog(entries));
  }

  const chunks: Buffer[] = [head];
  for (const file of files) {
    if (file.bytes === catalogMarker || file.bytes.length === 0 || aliasOf.has(file.bytes)) continue;
    const bytes = file === biosFile ? withBootInfoTable(file.bytes, pvdLba, extentOf(file).lba) : Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
    chunks.push(bytes);
    const pad = sectorsFor(bytes.length) * SECTOR - bytes.length;
    if (pad > 0) chunks.push(Buffer.alloc(pad));
  }
  return chunks;
}
