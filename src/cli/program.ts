import { Command, CommanderError, Option } from "commander";
import type { CompileOptions } from "./commands/compile.js";
import type { LockCommandOptions } from "./commands/lock.js";
import type { RunOptions } from "./commands/run.js";
import type { PushCommandOptions, RegistryOptions } from "./commands/registry.js";
import { OUTPUT_FORMATS } from "../types/spec.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { VERSION } from "../version.js";

export { VERSION };

/**
 * Runs mcc with the given arguments (without `node` and the script) and returns the exit
 * code. Never throws for a user's or the world's failure; a thrown error is a bug.
 */
/** Commands are imported when they run, so `mcc --version` does not load OpenPGP or xz. */
export async function runCli(args: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const program = new Command("mcc")
    .description("mcc, the microcontainer compiler: a small spec in, a minimal reproducible image out")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .addHelpText(
      "after",
      `
Exit codes: 0 ok, 1 errors in your input, 2 wrong command line, 3 network or
verification failure, 70 a bug in mcc.
Documentation: docs/spec.md (the spec format), docs/dsl.md (the .mcc DSL),
docs/diagnostics.md (every error code).`,
    )
    .showHelpAfterError("(run mcc --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command("validate")
    .description("check specs (YAML, or the DSL for .mcc files): syntax, the schema and the meaning, every problem in one run")
    .argument("<file...>", "spec files")
    .addOption(new Option("--json", "print the diagnostics as JSON on stdout"))
    .addOption(new Option("-q, --quiet", "print nothing for valid specs"))
    .action(async (files: string[], options: { json?: boolean; quiet?: boolean }) => {
      code = await (await import("./commands/validate.js")).validateCommand(files, options, io);
    });

  // The options of every command that reads the archive.
  const sourceOptions = (command: Command) =>
    command
      .addOption(new Option("--frozen", "use the lock as it is: a missing or stale lock is an error (for CI)"))
      .addOption(new Option("--offline", "use the cache only, and say what is missing"))
      .addOption(new Option("--allow-expired", "accept a Release past its Valid-Until (pinned old snapshots)"))
      .addOption(new Option("--cache <dir>", "the cache directory (default: $MCC_CACHE, else $XDG_CACHE_HOME/mcc)"))
      .addOption(new Option("-q, --quiet", "print nothing but problems"));
  const archOption = new Option("--arch <arch>", "build this architecture (overrides from.archs)").choices(["amd64", "arm64"]);
  const updateOption = () => new Option("--update", "resolve again even when the lock is current");

  sourceOptions(
    program
      .command("compile")
      .description("build the spec: lock, fetch, trace the executable, write the outputs")
      .argument("<spec>", "the spec file")
      .addOption(new Option("-o, --output <path>", "write one output here (overrides output)"))
      .addOption(new Option("--format <format>", "the output format (overrides output)").choices([...OUTPUT_FORMATS]))
      .addOption(archOption)
      .addOption(new Option("--explain <file>", "write why each file is in the image, as JSON"))
      .addOption(new Option("--force", "replace what is at an output path even if it is not an output of that format (never the spec's directory or one above the current directory)"))
      .addOption(new Option("--cache-from <repo>", "read step results from this registry repository (HOST/REPO), a cache shared by machines"))
      .addOption(new Option("--cache-to <repo>", "write step results to this registry repository (may be the same as --cache-from)"))
      .addOption(new Option("--insecure", "plain http to the cache registry (loopback hosts only)"))
      .addOption(new Option("--ca-file <pem>", "trust these CA certificates for the cache registry's TLS"))
      .addOption(new Option("--json", "print progress and outputs as JSON lines on stdout, for tools")),
  ).action(async (spec: string, options: CompileOptions) => {
    code = await (await import("./commands/compile.js")).compileCommand(spec, options, io);
  });

  sourceOptions(
    program
      .command("run")
      .description("build when needed and run the microcontainer: read-only root, its user, its mounts made real (podman, or runc as root); a bootable spec boots in qemu")
      .argument("<target>", "a spec file, or an image (OCI layout, oci-archive, docker-archive) to run with podman")
      .argument("[args...]", "after --: arguments that replace the spec's args")
      .addOption(new Option("--runtime <runtime>", "podman (default when present) or runc (as root)").choices(["podman", "runc"]))
      .addOption(new Option("--boot", "boot the spec as an ISO in qemu, its console on the terminal (the default for a spec whose outputs are all iso)"))
      .addOption(new Option("--kvm", "boot with KVM (default: software emulation, which works everywhere)"))
      .addOption(new Option("--mount <path=dir...>", "a directory of this machine for a volume or config mount of the spec (repeatable)"))
      .addOption(new Option("--ulimit <limit...>", "pass a --ulimit to podman (e.g. nofile=1024:1024)")),
  ).action(async (target: string, args: string[], options: RunOptions) => {
    code = await (await import("./commands/run.js")).runCommand(target, args, options, io);
  });

  sourceOptions(
    program
      .command("plan")
      .description("print the build plan: content-addressed steps, as a tree, --json or --dot")
      .argument("<spec>", "the spec file")
      .addOption(new Option("-o, --output <path>", "plan one output here (overrides output)"))
      .addOption(new Option("--format <format>", "the output format (overrides output)").choices([...OUTPUT_FORMATS]))
      .addOption(new Option("--arch <arch>", "plan this architecture (overrides from.archs)").choices(["amd64", "arm64"]))
      .addOption(new Option("--json", "the plan as JSON (steps with id, kind, label, params, inputs)"))
      .addOption(new Option("--dot", "the plan as a Graphviz graph")),
  ).action(async (spec: string, options: CompileOptions & { json?: boolean; dot?: boolean }) => {
    code = await (await import("./commands/compile.js")).planCommand(spec, options, io);
  });

  sourceOptions(
    program
      .command("why")
      .description("explain why a file is in the image (or why it is not)")
      .argument("<spec>", "the spec file")
      .argument("<path>", "a path in the image")
      .addOption(new Option("--arch <arch>", "the architecture to explain (overrides from.archs)").choices(["amd64", "arm64"])),
  ).action(async (spec: string, path: string, options: CompileOptions) => {
    code = await (await import("./commands/compile.js")).whyCommand(spec, path, options, io);
  });

  sourceOptions(
    program
      .command("lock")
      .description("resolve the spec's packages against the verified Debian archive and pin them in SPEC.lock.json")
      .argument("<spec>", "the spec file")
      .addOption(updateOption())
      .addOption(new Option("--check", "resolve again and compare with the lock, writing nothing: exit 1 and list the changes when it is stale (for CI)").conflicts(["update", "frozen"])),
  ).action(async (spec: string, options: LockCommandOptions) => {
    code = await (await import("./commands/lock.js")).lockCommand(spec, options, io);
  });

  sourceOptions(
    program
      .command("fetch")
      .description("lock if needed, then download, verify and unpack every package of the spec into the cache")
      .argument("<spec>", "the spec file")
      .addOption(updateOption()),
  ).action(async (spec: string, options: LockCommandOptions) => {
    code = await (await import("./commands/fetch.js")).fetchCommand(spec, options, io);
  });

  program
    .command("fmt")
    .description("print a .mcc spec in canonical form (comments kept); --check for CI, --write to rewrite")
    .argument("<file...>", ".mcc spec files")
    .addOption(new Option("--check", "print nothing; exit 1 naming each file that is not in canonical form"))
    .addOption(new Option("--write", "rewrite the files that are not in canonical form (atomically)"))
    .action(async (files: string[], options: { check?: boolean; write?: boolean }) => {
      code = await (await import("./commands/fmt.js")).fmtCommand(files, options, io);
    });

  program
    .command("convert")
    .description("write a spec in the other syntax, YAML or the .mcc DSL, without loss")
    .argument("<spec>", "the spec file (.mcc is the DSL, anything else YAML)")
    .addOption(new Option("--to <syntax>", "the syntax to write").choices(["dsl", "yaml"]).makeOptionMandatory())
    .addOption(new Option("-o, --output <file>", "write here (atomically) instead of stdout"))
    .action(async (spec: string, options: { to: "dsl" | "yaml"; output?: string }) => {
      code = await (await import("./commands/convert.js")).convertCommand(spec, options, io);
    });

  program
    .command("inspect")
    .description("list an image's files and sizes by package and by directory (an OCI layout, oci-archive, docker-archive or rootfs)")
    .argument("<image>", "the image")
    .addOption(new Option("--json", "print the summary and every entry as JSON, for tools"))
    .addOption(new Option("--arch <arch>", "the platform to read from a multi-platform image"))
    .addOption(new Option("--files", "list every file under its package, with why it is there (when the image carries mcc's provenance)"))
    .addOption(new Option("--html <file>", "write a self-contained HTML report (treemap of sizes, the build plan, each file's provenance)").conflicts("json"))
    .action(async (image: string, options: { json?: boolean; arch?: string; files?: boolean; html?: string }) => {
      code = await (await import("./commands/inspect.js")).inspectCommand(image, options, io);
    });

  program
    .command("diff")
    .description("packages dropped, kept and added, files removed and bytes saved between two images")
    .argument("<a>", "the image before")
    .argument("<b>", "the image after")
    .addOption(new Option("--json", "print the difference as JSON"))
    .addOption(new Option("--arch <arch>", "the platform to read from multi-platform images"))
    .addOption(new Option("--files", "list every entry added, removed or changed, those of whole packages and directories too"))
    .action(async (a: string, b: string, options: { json?: boolean; arch?: string; files?: boolean }) => {
      code = await (await import("./commands/inspect.js")).diffCommand(a, b, options, io);
    });

  const registryOptions = (command: Command) =>
    command
      .addOption(new Option("--insecure", "plain http, for a registry on this machine's loopback only (localhost, 127.0.0.0/8, ::1)"))
      .addOption(new Option("--ca-file <path>", "trust the CA certificates in this PEM file too (default: $SSL_CERT_FILE)"))
      .addOption(new Option("-v, --verbose", "say what happens to each blob and manifest"))
      .addOption(new Option("-q, --quiet", "print only the reference with its digest"));

  registryOptions(
    program
      .command("push")
      .description("push an OCI layout or oci-archive that mcc wrote to a registry, with its SBOMs; prints REF@DIGEST")
      .argument("<output>", "the OCI layout directory or oci-archive")
      .argument("<ref>", "where to: HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST] (the tag defaults to latest)")
      .addOption(new Option("--mount-from <repository>", "a repository of the same registry that may hold the blobs: mount them from there instead of uploading"))
      .addOption(new Option("--chunk-size <size>", "upload blobs larger than this in chunks of this size (default 16M)"))
      .addOption(new Option("--sign <key>", "sign each pushed manifest (the index and every platform's): an OpenPGP key signs into --lookaside (simple signing), a PEM ECDSA key (mcc keygen --cosign) in cosign's format into the registry"))
      .addOption(new Option("--lookaside <dir>", "with an OpenPGP --sign key: the lookaside directory the signatures are written to"))
      .addOption(new Option("--passphrase-file <file>", "the signing key's passphrase, from the first line of this file (or MCC_PASSPHRASE)")),
  ).action(async (output: string, ref: string, options: PushCommandOptions & { sign?: string; lookaside?: string; passphraseFile?: string }) => {
    code =
      options.sign === undefined
        ? await (await import("./commands/registry.js")).pushCommand(output, ref, options, io)
        : await (await import("./commands/signing.js")).pushSignedCommand(output, ref, { ...options, sign: options.sign }, io);
  });

  registryOptions(
    program
      .command("pull")
      .description("pull an image (every platform, and its SBOMs) from a registry into an OCI layout directory")
      .argument("<ref>", "HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]")
      .argument("<dir>", "the OCI layout to write (replaced atomically)")
      .addOption(new Option("--force", "replace what is at DIR even if it is not an OCI layout (never the current directory or one above it)"))
      .addOption(new Option("--verify <key>", "pull only if a signature by this OpenPGP public key (or keyring) covers the image; exit 3 and write nothing otherwise"))
      .addOption(new Option("--lookaside <dir|url>", "with --verify: where the signatures are (a directory, or an http(s) URL)")),
  ).action(async (ref: string, dir: string, options: RegistryOptions & { force?: boolean; verify?: string; lookaside?: string }) => {
    code =
      options.verify === undefined
        ? await (await import("./commands/registry.js")).pullCommand(ref, dir, options, io)
        : await (await import("./commands/signing.js")).pullVerifiedCommand(ref, dir, { ...options, verify: options.verify }, io);
  });

  registryOptions(
    program
      .command("sign")
      .description("sign an image (the index, every platform's manifest, and its SBOMs and provenance as attestations): with an OpenPGP key into a lookaside directory, with a PEM ECDSA key in cosign's format into the registry")
      .argument("<target>", "an image in a registry (HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]), or an OCI layout or oci-archive mcc wrote (with --identity)")
      .argument("<key>", "the private key: OpenPGP (mcc keygen's .key, or gpg --export-secret-keys) for simple signing, or PEM ECDSA P-256 (mcc keygen --cosign) for cosign's format")
      .addOption(new Option("--lookaside <dir>", "for an OpenPGP key: the lookaside directory the signatures are written to (what registries.d's lookaside names); a cosign key's go to the registry"))
      .addOption(new Option("--passphrase-file <file>", "the key's passphrase, from the first line of this file (or MCC_PASSPHRASE)"))
      .addOption(new Option("--identity <ref>", "for a local layout: the reference it will be pushed to and pulled by, which the signatures name")),
  ).action(async (ref: string, key: string, options: import("./commands/signing.js").SignOptions) => {
    code = await (await import("./commands/signing.js")).signCommand(ref, key, options, io);
  });

  registryOptions(
    program
      .command("verify")
      .description("verify an image: a signature by the key for this reference and digest, and every manifest and blob matching its digest; exit 3 when refused")
      .argument("<target>", "an image in a registry (HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]), or an OCI layout or oci-archive (with --identity)")
      .requiredOption("--key <key>", "the public key that must have signed it: OpenPGP (or a keyring) for simple signing, PEM for cosign's format")
      .addOption(new Option("--lookaside <dir|url>", "for an OpenPGP key: where the signatures are, a directory or an http(s) URL"))
      .addOption(new Option("--attestations", "also require each platform's SBOM and provenance to be attested (a signed in-toto statement) by the key"))
      .addOption(new Option("--identity <ref>", "for a local layout: the reference its signatures must name")),
  ).action(async (ref: string, options: import("./commands/signing.js").VerifyOptions) => {
    code = await (await import("./commands/signing.js")).verifyCommand(ref, options, io);
  });

  program
    .command("keygen")
    .description("write a key pair for signing images: PREFIX.key (private) and PREFIX.pub (for mcc verify and policy.json's keyPath), OpenPGP, or ECDSA for cosign's format with --cosign; prints the fingerprint")
    .addOption(new Option("-o, --output <prefix>", "the files' prefix").default("mcc-signing"))
    .addOption(new Option("--name <name>", "the key's user name").default("mcc image signing"))
    .addOption(new Option("--email <email>", "the key's email address"))
    .addOption(new Option("--passphrase-file <file>", "encrypt the private key with the first line of this file (or MCC_PASSPHRASE)"))
    .addOption(new Option("--cosign", "an ECDSA P-256 pair in PEM, for cosign-format signatures, instead of an OpenPGP key"))
    .addOption(new Option("--force", "replace existing key files"))
    .action(async (options: import("./commands/signing.js").KeygenOptions) => {
      code = await (await import("./commands/signing.js")).keygenCommand(options, io);
    });

  program
    .command("minify")
    .description("keep only what an image's program needs: trace its entrypoint over the image's files and write a microcontainer")
    .argument("<image>", "an OCI layout (DIR or DIR:TAG), an oci-archive or docker-archive tar, or a rootfs directory")
    .argument("[args...]", "after --: arguments replacing the image's Cmd")
    .addOption(new Option("--spec <file>", "a spec (YAML or .mcc) for include, exclude, user, mounts, files, env, labels, ports, output; no from or packages"))
    .addOption(new Option("--executable <path>", "the program to keep instead of the image's Entrypoint/Cmd (a bare name is looked up in the image's PATH)"))
    .addOption(new Option("--args <arg...>", "arguments replacing the image's Cmd (or use -- ARGS for ones starting with -)"))
    .addOption(new Option("--name <name>", "the output image's name (default: the image's file name)"))
    .addOption(new Option("--tag <tag>", "the output image's tag (default: latest)"))
    .addOption(new Option("--user <user>", "run as this user (uid[:gid] or a name in the image) instead of the image's User"))
    .addOption(new Option("-o, --output <path>", "write the output here"))
    .addOption(new Option("--format <format>", "the output format").choices(["oci", "oci-archive", "docker-archive", "rootfs"]))
    .addOption(new Option("--arch <arch>", "the platform to read from a multi-platform image, or the architecture of a rootfs directory"))
    .addOption(new Option("--cache <dir>", "the cache directory (default: $MCC_CACHE, else $XDG_CACHE_HOME/mcc)"))
    .addOption(new Option("--explain <file>", "write why each file is in the output, as JSON"))
    .addOption(new Option("--force", "replace what is at an output path even if it is not an output of that format (never the spec's directory or one above the current directory)"))
    .addOption(new Option("--insecure", "plain http to the image's registry (loopback hosts only)"))
    .addOption(new Option("--ca-file <pem>", "trust these CA certificates for the image's registry"))
    .addOption(new Option("--verify <key>", "for an image in a registry: minify it only if a signature by this OpenPGP key covers it (exit 3 otherwise)"))
    .addOption(new Option("--lookaside <dir|url>", "with --verify: where the signatures are"))
    .addOption(new Option("--json", "print the sizes, what was kept and the outputs as JSON"))
    .addOption(new Option("-q, --quiet", "print nothing but problems"))
    .action(async (image: string, args: string[], options: import("./commands/minify.js").MinifyCommandOptions) => {
      code = await (await import("./commands/minify.js")).minifyCommand(image, args, options, io);
    });

  program
    .command("init")
    .description("write a starter spec: for a Debian package's program (mcc init curl) or a program of yours (mcc init ./server), with the schema beside it for editors")
    .argument("<target>", "a Debian package name, or the path of your program")
    .addOption(new Option("-o, --output <file>", "the spec to write (default: NAME.yml here)"))
    .addOption(new Option("--release <release>", "the Debian release (default: this machine's, else the spec's default)"))
    .addOption(new Option("--force", "replace the spec if it exists"))
    .action(async (target: string, options: import("./commands/init.js").InitOptions) => {
      code = await (await import("./commands/init.js")).initCommand(target, options, io);
    });

  for (const what of ["kube", "compose"] as const) {
    const command = program
      .command(what)
      .description(
        what === "kube"
          ? "write Kubernetes objects for a spec: a Deployment (or Pod) with a read-only root and the spec's user, emptyDir for tmpfs, a claim for each volume, a ConfigMap for each config mount, a Service for the ports"
          : "write a compose file for a spec (docker compose, podman-compose): read-only root, the spec's user, tmpfs, named volumes, ports",
      )
      .argument("<spec>", "the spec file")
      .addOption(new Option("-o, --output <file>", "write here instead of stdout (replaces only a file mcc wrote, unless --force)"))
      .addOption(new Option("--force", "replace the output file whoever wrote it"))
      .addOption(new Option("--image <ref>", "the image to run (default: localhost/NAME:TAG, podman's name for the loaded image)"))
      .addOption(new Option("--config <path=dir...>", `the files of a config mount${what === "kube" ? " for its ConfigMap (default: the spec's own files there)" : ", bound read-only (default: the image's own files there)"}`));
    if (what === "kube") {
      command
        .addOption(new Option("--pod", "a bare Pod instead of a Deployment"))
        .addOption(new Option("--replicas <n>", "the Deployment's replicas").default("1"))
        .addOption(new Option("--storage <size>", "the size each volume's claim requests").default("1Gi"));
    }
    command.action(async (spec: string, options: import("./commands/deploy.js").DeployOptions) => {
      code = await (await import("./commands/deploy.js")).deployCommand(what, spec, options, io);
    });
  }

  sourceOptions(
    program
      .command("debug")
      .description("a shell with real tools (busybox, strace, curl, ip, ss) inside a running container that has none: side-loaded into its /dev, run in its namespaces, removed when you leave; needs root")
      .argument("[target]", "a runc container id, a podman container, or a process id")
      .argument("[args...]", "after --: a command to run there instead of a shell")
      .addOption(new Option("--release <release>", "the Debian release the toolkit is built from").default("bookworm"))
      .addOption(new Option("--toolkit <dir>", "where the toolkit is built (default: $XDG_DATA_HOME/mcc/debug/RELEASE-ARCH); without a target, build it and stop"))
      .addOption(new Option("--image <path>", "write the toolkit as an image instead, whose entrypoint enters the container it shares processes with (kubectl debug --target, --pid=container:NAME)"))
      .addOption(new Option("--disk <file>", "write the toolkit as an ext4 disk instead, for an appliance: attached to its virtual machine, its console becomes a root shell beside the program"))
      .addOption(new Option("--format <format>", "the image's format").choices(["oci", "oci-archive", "docker-archive"]).default("oci"))
      .addOption(new Option("--arch <archs>", "the image's architectures, comma-separated, or the disk's one (default: the host's)")),
  ).action(async (target: string | undefined, args: string[], options: import("./commands/debug.js").DebugOptions) => {
    code = await (await import("./commands/debug.js")).debugCommand(target, args, options, io);
  });

  program
    .command("disk")
    .description("write an empty ext4 disk image for an appliance's volume (no mkfs needed; the same bytes every time)")
    .argument("<file>", "the disk image to write (never replaced)")
    .requiredOption("--size <size>", "its size: 64M, 10G, ... (binary units)")
    .addOption(new Option("--label <label>", "the file system label: the last name of the volume's path (/write takes write)").default("write"))
    .action(async (file: string, options: import("./commands/disk.js").DiskOptions) => {
      code = (await import("./commands/disk.js")).diskCommand(file, options, io);
    });

  program
    .command("schema")
    .description("print the spec's JSON Schema (draft 2020-12)")
    .action(async () => {
      code = (await import("./commands/schema.js")).schemaCommand(io);
    });

  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return code;
}

/**
 * `runCli` with the last line of defence: an exception here is a bug in mcc, reported as
 * one (a short note, the stack only with MCC_DEBUG set) with its own exit code.
 */
export async function runMain(args: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    return await runCli(args, io);
  } catch (error) {
    const debug = io.env["MCC_DEBUG"] !== undefined && io.env["MCC_DEBUG"] !== "" && io.env["MCC_DEBUG"] !== "0";
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `mcc: internal error: ${message}\n` +
        `This is a bug in mcc ${VERSION}, not in your input. Please report it with the command you ran` +
        (debug ? " and this output.\n" : " and its output with MCC_DEBUG=1 set, which adds the stack trace.\n"),
    );
    if (debug && error instanceof Error && error.stack !== undefined) io.stderr(error.stack + "\n");
    return EXIT.internal;
  }
}
