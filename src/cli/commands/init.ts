// `mcc init PACKAGE|./PROGRAM`: a starter spec that builds, with the schema beside it.
import { dirname, relative, resolve } from "node:path";
import { HostError } from "../../host/host.js";
import { imageNameOf, starterSpec, type Starter } from "../../format/starter-spec.js";
import { specSchema } from "../../schema/spec-schema.js";
import { isElf, readElf } from "../../trace/elf.js";
import { DEFAULTS } from "../../validate/defaults.js";
import { EXIT, type ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

export interface InitOptions {
  readonly output?: string;
  readonly release?: string;
  readonly force?: boolean;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

export async function initCommand(target: string, options: InitOptions, io: CliIo): Promise<ExitCode> {
  const release = options.release ?? (await hostRelease(io)) ?? DEFAULTS.release;
  const isPath = target.includes("/") || (await io.host.stat(resolve(io.cwd, target))) !== undefined;
  let starter: Starter;
  let specPath: string;
  if (!isPath) {
    if (!PACKAGE_NAME.test(target)) {
      io.stderr(`mcc: error: "${target}" is neither a file nor a Debian package name\n  hint: give a package (mcc init curl) or your program's path (mcc init ./server)\n`);
      return EXIT.usage;
    }
    const name = imageNameOf(target);
    specPath = resolve(io.cwd, options.output ?? `${name}.yml`);
    starter = { kind: "package", name, package: target, release };
  } else {
    const program = resolve(io.cwd, target);
    const info = await io.host.stat(program);
    if (info?.kind !== "file") {
      io.stderr(`mcc: error: ${target} is not a file\n`);
      return EXIT.usage;
    }
    const name = imageNameOf(program.split("/").pop() as string);
    specPath = resolve(io.cwd, options.output ?? `${name}.yml`);
    const source = relative(dirname(specPath), program);
    if (source.startsWith("..")) {
      io.stderr(`mcc: error: ${target} is outside the spec's directory ${dirname(specPath)}; a spec reads only files at or below its own directory\n  hint: write the spec higher up (-o DIR/${name}.yml)\n`);
      return EXIT.usage;
    }
    starter = { kind: "program", name, source, release, what: describeProgram(await io.host.readPrefix(program, 1 << 20), info.size) };
  }
  if (!options.force && (await io.host.stat(specPath)) !== undefined) {
    io.stderr(`mcc: error: ${specPath} exists; mcc init writes only a new spec (--force to replace it)\n`);
    return EXIT.userError;
  }
  try {
    await io.host.writeFileAtomic(specPath, starterSpec(starter));
    const schema = resolve(dirname(specPath), "mcc.schema.json");
    const had = (await io.host.stat(schema)) !== undefined;
    if (!had) await io.host.writeFileAtomic(schema, JSON.stringify(specSchema, null, 2) + "\n");
    io.stdout(`${relative(io.cwd, specPath)}: written${had ? "" : `, with ${relative(io.cwd, schema)} beside it for editors`}\n`);
  } catch (error) {
    if (error instanceof HostError) {
      io.stderr(`mcc: error: ${error.message}\n`);
      return EXIT.userError;
    }
    throw error;
  }
  io.stdout(`next: mcc compile ${relative(io.cwd, specPath)}\n`);
  return EXIT.ok;
}

/** The machine's Debian release (VERSION_CODENAME of /etc/os-release), when it is Debian. */
async function hostRelease(io: CliIo): Promise<string | undefined> {
  try {
    const text = new TextDecoder().decode(await io.host.readFile("/etc/os-release"));
    if (!/^ID=("?)debian\1$/m.test(text)) return undefined;
    return /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(text)?.[2];
  } catch {
    return undefined;
  }
}

/** A few words on a program, for the starter's comment. */
function describeProgram(head: Uint8Array, size: number): string {
  if (head.length > 2 && head[0] === 0x23 && head[1] === 0x21) {
    const line = new TextDecoder().decode(head.subarray(0, 256)).split("\n")[0] ?? "";
    return `a script run by ${line.slice(2).trim()}: mcc keeps its interpreter and finds its package`;
  }
  if (!isElf(head)) return "not an ELF file or a script: set executable to the program that reads it";
  if (head.length < size) return "an ELF program: mcc keeps the libraries it loads and finds their packages";
  try {
    const elf = readElf(head);
    if (elf.interpreter === undefined) return "a static ELF program: it needs no library";
    return `an ELF program that loads ${elf.needed.join(", ") || "no library"}: mcc keeps them and finds their packages`;
  } catch {
    return "an ELF program: mcc keeps the libraries it loads and finds their packages";
  }
}
