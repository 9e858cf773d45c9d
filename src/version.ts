import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** mcc's version, from its package.json (two levels above `dist/src`). */
export const VERSION: string = (require("../../package.json") as { version: string }).version;
