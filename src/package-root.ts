import { fileURLToPath } from "node:url";

/**
 * The package's root directory (package.json, schema/, the shipped keyring): two levels above
 * this module, which sits at that depth both in `dist/src/` and in the bundled CLI's `dist/cli/`.
 */
export const PACKAGE_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
