/** A rectangle of the treemap and the item it shows. */
export interface TreemapBox<T> {
  readonly item: T;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * The squarified treemap (Bruls, Huizing and van Wijk, 2000): items, largest first, fill the
 * rectangle in rows laid along its shorter side; an item joins the current row while that
 * does not worsen the row's worst aspect ratio. Each box's area is its share of the total.
 * Items must be sorted by value, largest first, values positive.
 *
 * The report page embeds this function's source text, so it uses nothing outside its body.
 */
export function squarify<T extends { readonly value: number }>(items: readonly T[], x: number, y: number, w: number, h: number): TreemapBox<T>[] {
  const out: TreemapBox<T>[] = [];
  const total = items.reduce((n, i) => n + i.value, 0);
  if (total <= 0 || w <= 0 || h <= 0) return out;
  const scale = (w * h) / total;
  let row: T[] = [];
  let rowArea = 0;
  // Sorted largest first: a row's largest area is its first, its smallest its last.
  const worst = (area: number, min: number, max: number, side: number) => Math.max((side * side * max) / (area * area), (area * area) / (side * side * min));
  const lay = () => {
    if (w >= h) {
      const cw = rowArea / h;
      let cy = y;
      for (const it of row) {
        const ch = (it.value * scale) / cw;
        out.push({ item: it, x, y: cy, w: cw, h: ch });
        cy += ch;
      }
      x += cw;
      w -= cw;
    } else {
      const rh = rowArea / w;
      let cx = x;
      for (const it of row) {
        const cw = (it.value * scale) / rh;
        out.push({ item: it, x: cx, y, w: cw, h: rh });
        cx += cw;
      }
      y += rh;
      h -= rh;
    }
    row = [];
    rowArea = 0;
  };
  for (const it of items) {
    const a = it.value * scale;
    if (row.length > 0) {
      const side = Math.min(w, h);
      const max = (row[0] as T).value * scale;
      const min = (row[row.length - 1] as T).value * scale;
      if (worst(rowArea + a, Math.min(min, a), Math.max(max, a), side) > worst(rowArea, min, max, side)) lay();
    }
    row.push(it);
    rowArea += a;
  }
  if (row.length > 0) lay();
  return out;
}
