import { join } from "node:path";
import type { Host } from "../host/host.js";
import type { Spec } from "../types/spec.js";
import { parseDeb822Sources, parseSourcesList, pickHostMirrors, type AptSource } from "./apt-sources.js";
import { SourceError } from "../host/errors.js";

/**
 * The archive base URLs to use: the mirror is `from.mirror`, else the host's apt sources,
 * else MCC_MIRROR. The security archive goes with the mirror: the host's security source when
 * the mirror is the host's, else the mirror's URL with `-security` appended (the layout of
 * Debian's own archives and of snapshot mirrors); it may be absent, and is then skipped.
 */
export async function archiveBases(host: Host, spec: Spec, env: Readonly<Record<string, string | undefined>>): Promise<{ mirror: string; security: string }> {
  const trim = (url: string) => url.replace(/\/+$/, "");
  if (spec.from.mirror !== undefined) return { mirror: trim(spec.from.mirror), security: `${trim(spec.from.mirror)}-security` };
  const hostMirrors = pickHostMirrors(await readHostSources(host), spec.from.release);
  if (hostMirrors.mirror !== undefined) {
    const mirror = trim(hostMirrors.mirror);
    return { mirror, security: trim(hostMirrors.security ?? `${mirror}-security`) };
  }
  const fromEnv = env["MCC_MIRROR"];
  if (fromEnv !== undefined && fromEnv !== "") return { mirror: trim(fromEnv), security: `${trim(fromEnv)}-security` };
  throw new SourceError("no Debian mirror is known", "set from.mirror in the spec or the environment variable MCC_MIRROR (the host has no apt sources)");
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
