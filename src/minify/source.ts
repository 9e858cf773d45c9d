/**
 * What the IMAGE argument of `mcc minify` names. A local image is read directly; a registry
 * reference is not read here: the registry client pulls it into an OCI layout first, and
 * minify then reads that layout like any other (`{ kind: "local", path, tag }`), so the rest
 * of minify never knows where an image came from.
 */
export type ImageArgument =
  | { readonly kind: "local"; readonly path: string; readonly tag?: string }
  | { readonly kind: "registry"; readonly reference: string };

/** skopeo-style transports that name local images; their prefix is dropped. */
const LOCAL_TRANSPORTS = ["oci:", "oci-archive:", "docker-archive:", "dir:"];

/**
 * Reads the IMAGE argument: `PATH` (a layout, archive or rootfs), `DIR:TAG` (a layout's image
 * by ref name, or an archive's `name:tag`), with an optional `oci:`, `oci-archive:` or
 * `docker-archive:` prefix as skopeo writes them; `docker://REF`, or a name that is no local
 * path and starts with a registry host (`host.domain/...`, `host:port/...`, `localhost/...`),
 * is a registry reference. `exists` says whether a
 * local path exists (the only I/O, given by the caller).
 */
export function parseImageArgument(arg: string, exists: (path: string) => boolean): ImageArgument {
  if (arg.startsWith("docker://")) return { kind: "registry", reference: arg.slice("docker://".length) };
  const transport = LOCAL_TRANSPORTS.find((t) => arg.startsWith(t));
  const rest = transport === undefined ? arg : arg.slice(transport.length);
  if (exists(rest)) return { kind: "local", path: rest };
  // `DIR:TAG`, or `archive.tar:name:tag`: the longest existing path before a colon.
  for (let i = rest.indexOf(":"); i > 0; i = rest.indexOf(":", i + 1)) {
    const path = rest.slice(0, i);
    const tag = rest.slice(i + 1);
    if (tag !== "" && exists(path)) return { kind: "local", path, tag };
  }
  // As docker tells a registry host: a first component with a dot or a port, or localhost.
  if (transport === undefined && /^([a-z0-9-]+\.[a-z0-9.-]+|[a-z0-9.-]+:[0-9]+|localhost)\/[a-z0-9._/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})?$/.test(rest)) return { kind: "registry", reference: rest };
  return { kind: "local", path: rest };
}
