/* Generated from schema/mcc.schema.json by schema/generate.mjs; do not edit. Regenerate: npm run generate */

/**
 * A Debian architecture.
 */
export type Arch = "amd64" | "arm64";
/**
 * Who runs the executable: a uid (`65532`), `uid:gid` (`1000:1000`), a name (`nonroot`), or `{name, uid, gid}`. Without a name, it is `root` for uid 0 and `nonroot` otherwise; without a uid, it is 0 for `root` and 65532 otherwise; the gid defaults to the uid.
 */
export type User = number | string | UserObject;
/**
 * A file added to the image: exactly one of `source` and `content`. A `source` that is a directory adds the whole tree under `path`.
 */
export type File = {
  /**
   * The absolute path of the file inside the image.
   */
  path: string;
  /**
   * A file or directory in the repository, relative to the spec file's directory; it may not leave that directory. A directory is copied whole under `path`: its files (0755 when executable in the repository, else 0644), directories and the symlinks that stay inside it, owned by root, with no timestamps.
   */
  source?: string;
  /**
   * The file's content, inline.
   */
  content?: string;
  /**
   * Permission bits in octal: `"0644"`, `0644` or `0o644`. A bare decimal number such as `644` is refused as ambiguous. For a single file only: the files of a directory keep their executable bit.
   */
  mode?: number | string;
  /**
   * For a directory `source`: what to leave out of it. A pattern without `/` matches a name at any depth (`.git`, `__pycache__`, `*.pyc`); one with `/` is taken from the directory's top (`build/cache`, `docs/**`). A directory left out takes everything under it.
   */
  exclude?: string[];
  /**
   * For a `source` that is a tar archive (`.tar`, `.tar.gz`, `.tar.xz`, `.tar.zst`, the release artifact of a CI job): unpack its files under `path`, as a directory source is copied (executable bits kept, links only inside, `exclude` applied). Without it, the archive is one file.
   */
  unpack?: boolean;
} & File1;
export type File1 = {
  [k: string]: unknown;
};
/**
 * An exposed port: `8080/tcp`, `53/udp`, `9000/sctp`, or a bare number (tcp).
 */
export type Port = number | string;

/**
 * An mcc microcontainer spec (format version 1): one executable, the Debian packages it comes from, how it runs and what to write. `mcc compile` turns it into a minimal, reproducible OCI image or bootable ISO.
 */
export interface MccSpec {
  /**
   * The spec format version. Only 1 exists; stating it keeps the spec readable by later mcc releases.
   */
  version?: 1;
  /**
   * The image name: lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit. It names the default output (`out/<name>`).
   */
  name: string;
  /**
   * The reference name written into the OCI index (`org.opencontainers.image.ref.name`) and used as the tag in archives.
   */
  tag?: string;
  from?: From;
  /**
   * The Debian packages whose files the image may use, as `name` or `name=version`, or a local `.deb` by its path (with a `/`, relative to the spec: `./app_1.0_amd64.deb`). Their dependencies are resolved too, against the archive; only the files the executable needs (and `include` names) are kept.
   *
   * @minItems 1
   *
   * Items: A Debian package name, optionally pinned to an exact version with `=`; or the path of a local `.deb` (it holds a `/`).
   */
  packages: [string, ...string[]];
  /**
   * The absolute path, inside the image, of the one program the microcontainer runs (the OCI Entrypoint). Its ELF closure is kept.
   */
  executable: string;
  /**
   * Default arguments passed to the executable (the OCI Cmd).
   */
  args?: string[];
  /**
   * Environment variables of the executable. Values are strings: quote numbers.
   */
  env?: {
    [k: string]: string;
  };
  user?: User;
  /**
   * The working directory of the executable: an absolute path.
   */
  workdir?: string;
  /**
   * The microcontainer's writable and configuration places; the rest of the root is read-only. Giving this list replaces the default.
   */
  mounts?: Mount[];
  /**
   * Extra package files to keep, as absolute globs (`*` within a path segment, `**` across segments, `?`, `[a-z]`): data, certificates, zoneinfo.
   */
  include?: string[];
  /**
   * Files never kept, as absolute globs; exclude wins over include and over tracing.
   */
  exclude?: string[];
  /**
   * Files added to the image from the repository (`source`, relative to the spec file) or inline (`content`).
   */
  files?: File[];
  /**
   * How the image is layered. `split` (the default): the packages' files in one layer and the spec's own `files` in a second, so a rebuild after a change to your files differs by that small layer alone and a registry push uploads only it. `one`: a single layer, the microcontainer's own rule, for runtimes and audits that want one. A spec without `files` has one layer either way.
   */
  layers?: "split" | "one";
  /**
   * Ports the executable listens on (OCI ExposedPorts), as `port/protocol` or a bare port number (tcp).
   */
  ports?: Port[];
  /**
   * OCI image labels.
   */
  labels?: {
    [k: string]: string;
  };
  /**
   * How the `iso` and `kernel+initrd` outputs boot: the kernel package, the kernel command line, the console, and what happens when the executable exits. The kernel and the bootloaders come from Debian through the same verified source and lock as the packages. Without this section, those outputs use the defaults below and the kernel is resolved for the build without being pinned in the lock.
   */
  boot?: {
    /**
     * The Debian package of the kernel: a kernel image package or a metapackage such as `linux-image-cloud-amd64` (mcc follows its `linux-image-*` dependency and takes only the kernel image). Defaults to `linux-image-cloud-amd64` on amd64 and `linux-image-arm64` on arm64.
     */
    kernel?: string;
    /**
     * Extra kernel command line, after what mcc sets (`console=`, `panic=-1`, `quiet`).
     */
    cmdline?: string;
    /**
     * The kernel console device. Defaults to `ttyS0` on amd64 and `ttyAMA0` on arm64 (the serial port qemu gives).
     */
    console?: string;
    /**
     * What happens when the executable exits: `poweroff` (default): the machine stops; `restart`: the program runs again after a pause (1 s, doubling to 30 s), the status line printed each time; `reboot`: the machine restarts from a fresh boot. The power button (an ACPI shutdown) always stops the program and powers off.
     */
    onExit?: "poweroff" | "restart" | "reboot";
    /**
     * The appliance's network. `dhcp` (the default when the spec declares `ports`): the first network card, `eth0`, is configured by DHCP at boot and `/etc/resolv.conf` lists the servers the lease names. `none` (the default otherwise): loopback only. A mapping: a static address, with an optional gateway and DNS servers. Loopback is always up.
     */
    network?:
      | ("dhcp" | "none")
      | {
          /**
           * The IPv4 address and prefix length of `interface`.
           */
          address: string;
          /**
           * The default route's gateway, on the address's network.
           */
          gateway?: string;
          /**
           * DNS servers, written to `/etc/resolv.conf` (at most three are read by the C library).
           *
           * @maxItems 3
           */
          dns?: [] | [string] | [string, string] | [string, string, string];
          /**
           * The network card, by its kernel name.
           */
          interface?: string;
        };
    /**
     * Kernel modules to load at boot besides mcc's own (virtio disks and network, the power button), by name as `modprobe` takes them (`e1000`, `nvme`, `vfat`): each is taken from the kernel package with the modules it depends on, in the order their own metadata gives, and loaded before the program starts. A module the kernel has built in needs nothing; one the kernel package has neither built in nor as a file is an error at its line.
     *
     * @maxItems 64
     */
    modules?: string[];
  };
  /**
   * What mcc records about the image's contents, for scanners and audits. Each is on unless turned off.
   */
  metadata?: {
    /**
     * Write an SPDX 2.3 JSON SBOM of the image (its packages and every kept file, with checksums) beside each output, and attach it to OCI layouts as an artifact that refers to the image.
     */
    sbom?: boolean;
    /**
     * Write mcc's provenance document (why each file is in the image, the packages and the build plan that made it) beside each output, and attach it to OCI layouts as an artifact that refers to the image. `mcc inspect` reads it.
     */
    provenance?: boolean;
    /**
     * Write `/var/lib/dpkg/status.d/<package>` (the package's control stanza) and `<package>.md5sums` (only the files kept) for each package that contributed a file, so vulnerability scanners still recognise the packages.
     */
    dpkgStatus?: boolean;
  };
  /**
   * What to write: one output or a list of them. Relative paths are taken from the current directory.
   */
  output?: Output | [Output, ...Output[]];
}
/**
 * Where the packages come from.
 */
export interface From {
  /**
   * The package source family.
   */
  distro?: "debian";
  /**
   * The Debian release, by codename.
   */
  release?: string;
  /**
   * The architectures to build, one image each. Defaults to the host's.
   *
   * @minItems 1
   */
  archs?: [Arch, ...Arch[]];
  /**
   * The archive base URL (http, https or file). Defaults to the mirror in the host's apt sources, then the environment variable MCC_MIRROR.
   */
  mirror?: string;
  /**
   * The archive components to search.
   *
   * @minItems 1
   */
  components?: [string, ...string[]];
  /**
   * An OpenPGP keyring file with the keys that sign the archive, relative to the spec file or absolute. Defaults to the Debian archive keyring on the host, else the keys mcc ships.
   */
  keyring?: string;
  /**
   * Find the Debian packages that the spec's own files need (the libraries of your programs, the interpreters of your scripts) in the release's Contents index, and add them to the lock with the reason. `false`: every package is named by hand, and one missing is an error that names it.
   */
  infer?: boolean;
}
/**
 * A user given in full; the uid defaults as for a name alone (0 for root, else 65532) and the gid to the uid.
 */
export interface UserObject {
  /**
   * The user name written to /etc/passwd.
   */
  name?: string;
  /**
   * The numeric user id; defaults to 0 for `root` and 65532 otherwise.
   */
  uid?: number;
  /**
   * The numeric group id; defaults to the uid.
   */
  gid?: number;
}
/**
 * A place in the microcontainer that is not part of the read-only root.
 */
export interface Mount {
  /**
   * The absolute mount point.
   */
  path: string;
  /**
   * `volume`: persistent, writable; `config`: per-instance configuration, read-only; `tmpfs`: ephemeral, in memory.
   */
  type: "volume" | "config" | "tmpfs";
}
/**
 * One output of the build.
 */
export interface Output {
  /**
   * `oci` (an OCI image layout directory), `oci-archive` (a tar of the layout), `docker-archive` (for `docker load`), `rootfs` (a plain directory), `iso` (a bootable ISO 9660 image), `kernel+initrd` (kernel, initrd and cmdline side by side), `raw` (a GPT disk image that boots under UEFI) and `qcow2` (the same disk for qemu, OpenStack, Proxmox).
   */
  format: "oci" | "oci-archive" | "docker-archive" | "rootfs" | "iso" | "kernel+initrd" | "raw" | "qcow2";
  /**
   * Where to write it. Defaults to `out/<name>` with a suffix per format: none for `oci` (a directory), `.oci.tar`, `.docker.tar`, `.rootfs`, `.iso`, `.boot` (a directory for kernel+initrd).
   */
  path?: string;
}
