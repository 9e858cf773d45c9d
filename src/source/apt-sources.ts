import { parseParagraphs } from "../debian/deb822.js";

/** One `deb` source of the host's apt configuration. */
export interface AptSource {
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
  readonly signedBy?: string;
}

/** Parses `sources.list` one-line entries: `deb [opt=val ...] URI SUITE [COMPONENT...]`. */
export function parseSourcesList(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)(.*)$/.exec(line);
    if (m === null) continue;
    const options = new Map((m[1] ?? "").split(/\s+/).filter(Boolean).map((o) => o.split("=", 2) as [string, string]));
    const signedBy = options.get("signed-by");
    out.push({
      uri: m[2] as string,
      suites: [m[3] as string],
      components: (m[4] ?? "").trim().split(/\s+/).filter(Boolean),
      ...(signedBy === undefined ? {} : { signedBy }),
    });
  }
  return out;
}

/** Parses deb822 `.sources` files (sources.list(5), "DEB822-STYLE FORMAT"). */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const p of parseParagraphs(text)) {
    const types = (p.get("types") ?? "").split(/\s+/);
    if (!types.includes("deb") || (p.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    const signedBy = p.get("signed-by");
    for (const uri of (p.get("uris") ?? "").split(/\s+/).filter(Boolean)) {
      out.push({
        uri,
        suites: (p.get("suites") ?? "").split(/\s+/).filter(Boolean),
        components: (p.get("components") ?? "").split(/\s+/).filter(Boolean),
        // An inline key block is not a path; only paths are taken.
        ...(signedBy !== undefined && signedBy.startsWith("/") && !signedBy.includes("\n") ? { signedBy } : {}),
      });
    }
  }
  return out;
}

/** Suites of the Debian archive itself, so third-party sources are never taken for a mirror. */
const DEBIAN_SUITES = new Set([
  "buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid",
  "oldoldstable", "oldstable", "stable", "testing", "unstable",
]);

/** The archive base URLs the host uses: the main mirror and, when listed, the security one. */
export interface HostMirrors {
  readonly mirror?: string;
  readonly security?: string;
}

/**
 * Picks the host's Debian mirror and security archive from its sources: the security
 * archive is the source whose suites end in `-security`; the mirror is a source with a plain
 * codename suite (or `-updates`), preferring one that lists the wanted release.
 */
export function pickHostMirrors(sources: readonly AptSource[], release: string): HostMirrors {
  const isSecurity = (s: AptSource) => s.suites.some((suite) => /[-/](security|updates)$/.test(suite) && suite.includes("security"));
  const security = sources.find((s) => s.suites.some((suite) => suite === `${release}-security`)) ?? sources.find(isSecurity);
  const plain = sources.filter((s) => !isSecurity(s) && s.suites.some((suite) => DEBIAN_SUITES.has(suite.replace(/-updates$/, ""))));
  const mirror = plain.find((s) => s.suites.includes(release) || s.suites.includes(`${release}-updates`)) ?? plain[0];
  return {
    ...(mirror === undefined ? {} : { mirror: mirror.uri }),
    ...(security === undefined ? {} : { security: security.uri }),
  };
}
