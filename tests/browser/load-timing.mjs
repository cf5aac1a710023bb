// Measures how soon the console's sign-in form is there on a slow link: Chromium with Chrome
// DevTools' "Fast 3G" preset (562.5 ms latency, 180,000 B/s down, 84,375 B/s up; CDP
// Network.emulateNetworkConditions), cache disabled, a fresh browser context per run.
//
//   node tests/browser/load-timing.mjs [--root DIR] [--runs N]
//
// --root serves another checkout's www/ (with its build/ and www/vendor/), e.g. a worktree of an
// older commit, to compare. Prints the median of N runs (default 5) of, from navigation start:
// first paint, the sign-in form ready (in the DOM, fields usable), the validator ready
// (html[data-validator]), and when the .wasm request started and ended. Not part of the test suite.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startWranglerDev } from '../../scripts/wrangler-dev.mjs';
import { ROOT } from '../js/support.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const root = path.resolve(arg('--root', ROOT));
const runs = Number(arg('--runs', 5));
const FAST_3G = { offline: false, latency: 562.5, downloadThroughput: 180_000, uploadThroughput: 84_375 };

// wrangler dev for --root's wrangler.toml (in that directory), on a free port, with fresh state
// (removed when it stops), through the project's launcher.
const worker = await startWranglerDev({
  config: path.join(root, 'wrangler.toml'), logLevel: 'warn', vars: { ADMIN_TOKEN: randomBytes(16).toString('hex') },
});
const url = `${worker.url}/`;
try {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const results = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    // Marks when the sign-in form appears, from the page's own clock.
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.querySelector('form[aria-label="Sign in"] input')) {
          window.__formReady = performance.now();
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', FAST_3G);
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__formReady && document.documentElement.dataset.validator, null, { timeout: 60_000 });
    results.push(await page.evaluate(() => {
      const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
      const paint = performance.getEntriesByName('first-paint')[0];
      return {
        firstPaint: paint?.startTime,
        formReady: window.__formReady,
        validatorReady: performance.now(), // polled every frame
        wasmStart: wasm?.startTime,
        wasmEnd: wasm?.responseEnd,
        requests: performance.getEntriesByType('resource').length + 1,
      };
    }));
    await context.close();
  }
  await browser.close();
  const median = (k) => {
    const v = results.map((r) => r[k]).filter((x) => x !== undefined).sort((a, b) => a - b);
    return Math.round(v[Math.floor(v.length / 2)]);
  };
  console.log(`${root} on Fast 3G (562.5 ms, 180,000 B/s down), median of ${runs} runs, ms from navigation start:`);
  for (const k of ['firstPaint', 'formReady', 'validatorReady', 'wasmStart', 'wasmEnd', 'requests']) console.log(`  ${k.padEnd(15)} ${median(k)}`);
} finally {
  await worker.stop();
}
