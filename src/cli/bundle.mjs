// The CLI as users run it: the built modules (dist/src) bundled into a few files in dist/cli, so
// a command loads one file for the program and one for its subcommand instead of about 150
// modules and yaml's 70 files (40 ms less on every command; docs/performance.md). Subcommands stay
// in chunks of their own, loaded when they run, as in dist/src. Run by `npm run build`.
import { createHash } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const entry = "dist/src/cli/main.js";
// The line sh runs when the CLI is started as a command (src/cli/main.ts): kept as line two.
const launcher = readFileSync(entry, "utf8").split("\n")[1] ?? "";
if (!launcher.startsWith("// 2>/dev/null;")) throw new Error(`${entry}: line two is not the launcher line`);

/**
 * commander requires node:child_process when it loads, for subcommands run as programs of their
 * own, which mcc has none of: loading it (with net, dgram and streams) cost every command 4 ms.
 * commander gets an object that loads the module on first use instead.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) => (/[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: "child_process", namespace: "lazy" } : undefined));
    build.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'module.exports = new Proxy({}, { get: (_, key) => require("node:child_process")[key] });',
      loader: "js",
    }));
  },
};

/**
 * The identity of this build (src/build-id.ts): a digest of every compiled module and of the
 * locked dependencies, so any change to the code or to a dependency gives another.
 */
function buildId() {
  const hash = createHash("sha256");
  const files = readdirSync("dist/src", { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".js"))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
  for (const file of [...files, "package-lock.json"]) hash.update(`${file}\0`).update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

rmSync("dist/cli", { recursive: true, force: true });
await build({
  entryPoints: { main: entry, "gzip-worker": "dist/src/formats/gzip-worker.js" },
  outdir: "dist/cli",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // CommonJS dependencies (yaml, ajv, commander) call require for Node's own modules.
  banner: { js: `${launcher}\nimport { createRequire as __mccCreateRequire } from "node:module";\nconst require = __mccCreateRequire(import.meta.url);` },
  logLevel: "warning",
  plugins: [lazyChildProcess],
  define: { MCC_BUILD_ID: JSON.stringify(buildId()) },
});
chmodSync("dist/cli/main.js", 0o755);
