/**
 * The order in which both printers write a spec's keys: the schema's. A canonical order makes
 * `mcc fmt` output and converted files predictable, and diffs between them small.
 */
export const SPEC_KEY_ORDER = [
  "version",
  "name",
  "tag",
  "from",
  "packages",
  "executable",
  "args",
  "env",
  "user",
  "workdir",
  "mounts",
  "include",
  "exclude",
  "files",
  "layers",
  "ports",
  "labels",
  "boot",
  "metadata",
  "output",
] as const;

export const FROM_KEY_ORDER = ["distro", "release", "archs", "mirror", "components", "keyring", "infer"] as const;
export const USER_KEY_ORDER = ["name", "uid", "gid"] as const;
export const MOUNT_KEY_ORDER = ["path", "type"] as const;
export const FILE_KEY_ORDER = ["path", "source", "content", "mode", "unpack", "exclude"] as const;
export const BOOT_KEY_ORDER = ["kernel", "cmdline", "console", "onExit", "network", "modules"] as const;
export const NETWORK_KEY_ORDER = ["address", "gateway", "dns", "interface"] as const;
export const METADATA_KEY_ORDER = ["sbom", "provenance", "dpkgStatus"] as const;
export const OUTPUT_KEY_ORDER = ["format", "path"] as const;

/** A mapping's keys in the given order first, then any others as they came. */
export function orderedEntries(value: Record<string, unknown>, order: readonly string[]): [string, unknown][] {
  const known = order.filter((k) => Object.prototype.hasOwnProperty.call(value, k)).map((k) => [k, value[k]] as [string, unknown]);
  const rest = Object.entries(value).filter(([k]) => !order.includes(k));
  return [...known, ...rest];
}
