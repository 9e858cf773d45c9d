import { isAbsolute, join } from "node:path";
import { PACKAGE_ROOT } from "../package-root.js";
import type { Host } from "../host/host.js";
import { SourceError } from "../host/errors.js";
import { readKeyring, type Keyring } from "./release.js";

/** The host's Debian archive keyring, where Debian (and apt) keep it. */
export const HOST_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

/** The keys mcc ships (see src/source/keys/README.md), in the package. */
export const SHIPPED_KEYRING = join(PACKAGE_ROOT, "src", "source", "keys", "debian-archive-keyring.pgp");

/**
 * The keyring that verifies the archive: the spec's `from.keyring` (relative to the spec's
 * directory), else the host's Debian archive keyring, else the keys mcc ships.
 */
export async function loadKeyring(host: Host, specKeyring: string | undefined, specDir: string): Promise<{ keyring: Keyring; path: string }> {
  const candidates =
    specKeyring !== undefined ? [isAbsolute(specKeyring) ? specKeyring : join(specDir, specKeyring)] : [HOST_KEYRING, SHIPPED_KEYRING];
  for (const path of candidates) {
    if ((await host.stat(path))?.kind !== "file") continue;
    return { keyring: readKeyring(await host.readFile(path), path), path };
  }
  throw new SourceError(`no keyring found (looked for ${candidates.join(", ")})`, "set from.keyring to a file with the archive's signing keys");
}
