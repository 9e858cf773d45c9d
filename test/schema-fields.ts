import { resolveRef, specSchema, type JsonSchema } from "../src/schema/spec-schema.js";

/** Every field of the schema: its path and its schema with any $ref followed. */
export function fields(): { path: string; schema: JsonSchema; optional: boolean }[] {
  const out: { path: string; schema: JsonSchema; optional: boolean }[] = [];
  const visit = (schema: JsonSchema, path: string, seen: Set<string>) => {
    const required = new Set((schema["required"] as string[] | undefined) ?? []);
    for (const [name, raw] of Object.entries(schema.properties ?? {})) {
      const field = resolveRef(raw);
      out.push({ path: `${path}${name}`, schema: field, optional: !required.has(name) });
      const refs = [raw.$ref, ...(field.anyOf ?? []).map((b) => b.$ref), field.items?.$ref].filter((r): r is string => r !== undefined);
      for (const ref of refs) {
        if (seen.has(ref)) continue;
        const target = resolveRef({ $ref: ref });
        visit(target, `${path}${name}.`, new Set([...seen, ref]));
        if (target.items !== undefined) visit(resolveRef(target.items), `${path}${name}[].`, new Set([...seen, ref]));
      }
      if (field.items !== undefined) visit(resolveRef(field.items), `${path}${name}[].`, seen);
      for (const branch of field.anyOf ?? []) {
        const b = resolveRef(branch);
        if (b.items !== undefined) visit(resolveRef(b.items), `${path}${name}[].`, seen);
      }
    }
  };
  visit(specSchema, "", new Set());
  return out;
}

