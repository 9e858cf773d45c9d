/**
 * The links `update-alternatives --install LINK NAME PATH PRIORITY` in packages' postinst
 * scripts would create; for each link the highest priority wins (apt's auto mode). Pure: the
 * scripts' texts in, link -> path out.
 */
export function alternativesOf(postinsts: readonly string[]): Map<string, string> {
  const best = new Map<string, { path: string; priority: number }>();
  for (const script of postinsts) {
    const text = script.replace(/\\\n\s*/g, " ");
    for (const m of text.matchAll(/update-alternatives\s+(?:--\S+\s+)*--install\s+(\/\S+)\s+(\S+)\s+(\/\S+)\s+(\d+)/g)) {
      const [, link, , path, priority] = m as unknown as [string, string, string, string, string];
      const current = best.get(link);
      if (current === undefined || Number(priority) > current.priority) best.set(link, { path, priority: Number(priority) });
    }
  }
  return new Map([...best].map(([link, { path }]) => [link, path]));
}
