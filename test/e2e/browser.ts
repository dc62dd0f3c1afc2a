// Debian's Chromium driven by playwright-core with the flags of DESIGN §2, a fresh profile each launch, every
// console error and page error collected, and a check that a WebGL canvas really drew given colours.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { inCI } from '../support/env.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here (null: they can); in CI a missing browser is a failure. */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (inCI) throw new Error(`CI requires the browser tests; ${why}`);
  return why;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function launch(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'openubi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  // Generous: the machine is shared, and a slow step is not what these tests measure.
  context.setDefaultTimeout(60_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
    });
    p.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  };
  watch(page);
  context.on('page', watch);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The page's globals, typed just enough for code run in the page (the root tsconfig has no DOM library). */
export interface PageCanvas {
  width: number;
  height: number;
  getBoundingClientRect(): { width: number };
  getContext(kind: '2d'): {
    drawImage(c: PageCanvas, x: number, y: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  } | null;
}
export interface PageElement {
  className: string;
  outerHTML: string;
  labels?: { length: number };
  getAttribute(name: string): string | null;
}
export interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  createElement(tag: 'canvas'): PageCanvas;
  documentElement: { scrollWidth: number };
}
export type PageGlobals = { document: PageDocument };

export type Rgb = [number, number, number];
export const hex = (h: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as Rgb;

/**
 * Reads the map's WebGL canvas back (the app keeps its drawing buffer) and counts the pixels within `tolerance` of
 * each colour; `at` is a point (CSS pixels from the canvas corner) well inside a blob of that colour, to click.
 */
export async function canvasColours(
  page: Page,
  selector: string,
  colours: Record<string, Rgb>,
  tolerance = 40,
) {
  return page.evaluate(
    ({ selector, colours, tolerance }) => {
      const doc = (globalThis as unknown as PageGlobals).document;
      const gl = doc.querySelector(selector) as unknown as PageCanvas | null;
      if (!gl) throw new Error(`no canvas ${selector}`);
      const w = gl.width;
      const h = gl.height;
      const c = doc.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(gl, 0, 0);
      const px = ctx.getImageData(0, 0, w, h).data;
      const scale = w / gl.getBoundingClientRect().width;
      const [br, bg, bb] = [px[0]!, px[1]!, px[2]!];
      let nonBackground = 0;
      for (let i = 0; i < px.length; i += 4)
        if (Math.abs(px[i]! - br) + Math.abs(px[i + 1]! - bg) + Math.abs(px[i + 2]! - bb) > 30)
          nonBackground++;
      const out: Record<string, { count: number; at: { x: number; y: number } | null }> = {};
      for (const [name, [cr, cg, cb]] of Object.entries(colours)) {
        const mask = new Uint8Array(w * h);
        let count = 0;
        for (let p = 0; p < w * h; p++) {
          const i = p * 4;
          if (
            Math.abs(px[i]! - cr) <= tolerance &&
            Math.abs(px[i + 1]! - cg) <= tolerance &&
            Math.abs(px[i + 2]! - cb) <= tolerance
          ) {
            mask[p] = 1;
            count++;
          }
        }
        // A pixel whose neighbours 3 px away all match: inside a dot, not on its rim.
        const d = Math.round(3 * scale);
        let at: { x: number; y: number } | null = null;
        for (let p = d * w; p < w * h - d * w && !at; p++) {
          if (mask[p] && mask[p - d] && mask[p + d] && mask[p - d * w] && mask[p + d * w])
            at = { x: (p % w) / scale, y: Math.floor(p / w) / scale };
        }
        out[name] = { count, at };
      }
      return { width: w, height: h, nonBackground, colours: out };
    },
    { selector, colours, tolerance },
  );
}
