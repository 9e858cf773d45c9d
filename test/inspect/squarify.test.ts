// The treemap layout the report page embeds: areas proportional to values, inside the
// rectangle, without overlap, and squarer than slicing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { squarify } from "../../src/inspect/report/squarify.js";

const items = [60, 60, 40, 30, 20, 20, 10, 6, 3, 1].map((value, i) => ({ key: `k${i}`, value }));

test("every item gets a box of its share of the area, inside the rectangle, none overlapping", () => {
  const boxes = squarify(items, 10, 20, 600, 400);
  assert.equal(boxes.map((b) => b.item.key), items.map((i) => i.key));
  const total = items.reduce((n, i) => n + i.value, 0);
  for (const b of boxes) {
    assert.ok(Math.abs((b.w * b.h) / (600 * 400) - b.item.value / total) < 1e-9, b.item.key);
    assert.ok(b.x >= 10 - 1e-9 && b.y >= 20 - 1e-9 && b.x + b.w <= 610 + 1e-9 && b.y + b.h <= 420 + 1e-9, b.item.key);
  }
  for (const [i, a] of boxes.entries()) {
    for (const b of boxes.slice(i + 1)) {
      const overlap = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
      assert.ok(overlap < 1e-6, `${a.item.key} and ${b.item.key} overlap`);
    }
  }
});

test("boxes are squarish: the worst aspect ratio is far below slicing's", () => {
  const many = Array.from({ length: 200 }, (_, i) => ({ value: 1000 - i * 4 }));
  const ratio = (b: { w: number; h: number }) => Math.max(b.w / b.h, b.h / b.w);
  const worst = Math.max(...squarify(many, 0, 0, 900, 560).map(ratio));
  // Slicing 200 items across 900 px gives boxes about 4.5 px wide and 560 px tall: ratio > 100.
  assert.ok(worst < 4, `worst aspect ratio ${worst.toFixed(2)}`);
});

test("nothing to lay out, or no room: no boxes", () => {
  assert.equal(squarify([], 0, 0, 100, 100), []);
  assert.equal(squarify([{ value: 0 }], 0, 0, 100, 100), []);
  assert.equal(squarify([{ value: 1 }], 0, 0, 0, 100), []);
});

test.run();
