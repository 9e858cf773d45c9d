/**
 * `WWW-Authenticate` challenges (RFC 7235): `Basic realm="..."` or
 * `Bearer realm="...",service="...",scope="..."`. Pure.
 */

/** One challenge: its scheme (lowercase) and parameters. */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses a header value into challenges. Parameters are `key=token` or `key="quoted"`
 * (backslash escapes); a comma before a `token ` starts the next challenge.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const skip = () => {
    while (i < header.length && /[\s,]/.test(header[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < header.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip();
    const word = token();
    if (word === "") {
      i++;
      continue;
    }
    while (header[i] === " ") i++;
    if (header[i] === "=" && out.length > 0) {
      // A parameter of the current challenge.
      i++;
      let value = "";
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === "\\" && i + 1 < header.length) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        value = token();
      }
      out[out.length - 1]!.params[word.toLowerCase()] = value;
    } else {
      out.push({ scheme: word.toLowerCase(), params: {} });
    }
  }
  return out;
}

/** The challenge mcc answers: Bearer if offered, else Basic; undefined for neither. */
export function chooseChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
}
