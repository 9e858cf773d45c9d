import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { onStop } from "./children.js";

/** Debian's Chromium (package `chromium`); playwright-core drives it, no browser is downloaded. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Headless Chromium with a fresh profile in a temp dir, and everything that would reach the
 * network off (without these flags it tries to, and fails here). Close with `close()`.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "mcc-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  const closed = onStop("headless chromium", close);
  return {
    context,
    close: async () => {
      closed();
      await close();
    },
  };
}
