import { test, expect } from './fixtures';

// How the browser receives the app itself: hashed build assets, precompressed and cached for
// a year; pages never cached by shared caches; a CSP that still lets the app hydrate.

test('build assets are precompressed and cached for a year; pages are private', async ({ page }) => {
  const assets: { url: string; headers: Record<string, string> }[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) {
      assets.push({ url: response.url(), headers: response.headers() });
    }
  });
  const response = await page.goto('/');
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });

  const pageHeaders = response!.headers();
  expect(pageHeaders['cache-control']).toBe('private, no-cache');
  expect(pageHeaders['content-security-policy']).toContain("'wasm-unsafe-eval'");

  const wasm = assets.find((a) => /\/pkg\/shop\.[\w-]+\.wasm$/.test(a.url));
  expect(wasm, `no hashed wasm among ${assets.map((a) => a.url).join(', ')}`).toBeDefined();
  expect(wasm!.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(wasm!.headers['content-encoding']).toBe('br');
  for (const asset of assets) {
    expect(asset.headers['cache-control'], asset.url).toContain('immutable');
  }
});
