import { test, expect, open } from './fixtures';
import type { Page } from '@playwright/test';

// What search engines read, in a real browser with JavaScript on: one canonical link, the
// structured data parses (and the CSP does not complain about it: the fixture fails the test
// on any console error), and the breadcrumbs link the category.
//
// Products used: 4 Adjustable Desk Lamp (in stock), 10 Classic Fountain Pen (stock 0).

test.use({ javaScriptEnabled: true });

async function structuredData(page: Page) {
  const blocks = await page.locator('script[type="application/ld+json"]').allTextContents();
  return blocks.map((text) => JSON.parse(text));
}

test.describe('search engines', () => {
  test('a product page has one canonical link and valid JSON-LD', async ({ page, baseURL }) => {
    await open(page, '/product/4', true);
    const canonical = page.locator('link[rel="canonical"]');
    await expect(canonical).toHaveCount(1);
    await expect(canonical).toHaveAttribute('href', `${baseURL}/product/4`);
    await expect(page.locator('meta[name="robots"]')).toHaveCount(0);

    const blocks = await structuredData(page);
    expect(blocks).toHaveLength(2);
    const product = blocks.find((b) => b['@type'] === 'Product');
    expect(product).toMatchObject({
      '@context': 'https://schema.org',
      name: 'Adjustable Desk Lamp',
      sku: '4',
      url: `${baseURL}/product/4`,
      image: [expect.stringMatching(new RegExp(`^${baseURL}/images/`))],
      offers: {
        '@type': 'Offer',
        price: '79.00',
        priceCurrency: 'USD',
        availability: 'https://schema.org/InStock',
      },
    });
    const trail = blocks.find((b) => b['@type'] === 'BreadcrumbList');
    const names = trail.itemListElement.map((item: { name: string }) => item.name);
    expect(names).toHaveLength(3);
    expect(names[0]).toBe('Home');
    expect(names[2]).toBe('Adjustable Desk Lamp');

    // The visible trail links the same category.
    const nav = page.getByRole('navigation', { name: 'Breadcrumb' });
    const category = nav.getByRole('link', { name: names[1], exact: true });
    await expect(category).toHaveAttribute('href', new URL(trail.itemListElement[1].item).pathname);
  });

  test('a sold-out product is OutOfStock', async ({ page }) => {
    await open(page, '/product/10', true);
    const product = (await structuredData(page)).find((b) => b['@type'] === 'Product');
    expect(product.offers.availability).toBe('https://schema.org/OutOfStock');
  });

  test('the cart is canonical to itself and not indexed', async ({ page, baseURL }) => {
    await open(page, '/cart', true);
    await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', `${baseURL}/cart`);
    await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', /noindex/);
  });

  test('robots.txt and the sitemap name the public URL', async ({ request, baseURL }) => {
    const robots = await request.get('/robots.txt');
    expect(await robots.text()).toContain(`Sitemap: ${baseURL}/sitemap.xml`);
    const sitemap = await request.get('/sitemap.xml');
    expect(sitemap.headers()['content-type']).toBe('application/xml');
    const xml = await sitemap.text();
    expect(xml).toContain(`<loc>${baseURL}/product/4</loc>`);
    expect(xml).toContain(`<loc>${baseURL}/</loc>`);
  });
});
