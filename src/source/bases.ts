import { join } from "node:path";
import type { Host } from "../host/host.js";
import type { Spec } from "../types/spec.js";
import { parseDeb822Sources, parseSourcesList, pickHostMirrors, type AptSource } from "./apt-sources.js";
import { SourceError } from "./errors.js";

/**
 * The archive base URLs to use: the mirror is `from.mirror`, else the host's apt sources,
 * else MCC_MIRROR; the security archive is the one the host's sources name, else the mirror's
 * URL with `-security` appended (the layout of Debian's own archives), which may be absent.
 */
export async function archiveBases(host: Host, spec: Spec, env: Readonly<Record<string, string | undefined>>): Promise<{ mirror: string; security: string }> {
  const hostMirrors = pickHostMirrors(await readHostSources(host), spec.from.release);
  const mirror = (spec.from.mirror ?? hostMirrors.mirror ?? env["MCC_MIRROR"])?.replace(/\/+$/, "");
  if (mirror === undefined) {
    throw new SourceError("no Debian mirror is known", "set from.mirror in the spec or the environment variable MCC_MIRROR (the host has no apt sources)");
  }
  // A spec's own mirror takes its security archive beside it unless the host names one.
  const security = (hostMirrors.security ?? `${mirror}-security`).replace(/\/+$/, "");
  return { mirror, security };
}

async function readHostSources(host: Host): Promise<AptSource[]> {
  const out: AptSource[] = [];
  const read = async (path: string) =>
    (await host.stat(path))?.kind === "file" ? new TextDecoder().decode(await host.readFile(path)) : undefined;
  const list = await read("/etc/apt/sources.list");
  if (list !== undefined) out.push(...parseSourcesList(list));
  const dir = "/etc/apt/sources.list.d";
  for (const name of (await host.readdir(dir)) ?? []) {
    const text = await read(join(dir, name));
    if (text === undefined) continue;
    if (name.endsWith(".sources")) out.push(...parseDeb822Sources(text));
    else if (name.endsWith(".list")) out.push(...parseSourcesList(text));
  }
  return out;
}
