import { test, expect, open, waitForHydration } from './fixtures';
import type { APIRequestContext, Page } from '@playwright/test';

// The admin, with JavaScript on and off (its pages are server-rendered forms either way):
// sign in as the admin `shop admin create` made (playwright.config.ts), create a product
// with a photo and find it in the shop, adjust its stock, and ship an order.

const ADMIN = { email: 'admin@example.com', password: 'admin e2e passphrase' };
// A 4×3 PNG (red): small, real, decodable.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==',
  'base64',
);

async function post(page: Page, name: string, js: boolean) {
  const loaded = page.waitForEvent('load');
  await page.getByRole('button', { name, exact: true }).click();
  await loaded;
  if (js) await waitForHydration(page);
}

/** A guest's cash-on-delivery order through the REST API; its number. */
async function someoneOrders(request: APIRequestContext, productId: number) {
  const session_id = `e2e-admin-${productId}-${Date.now()}`;
  expect((await request.post('/api/cart/', { data: { session_id, product_id: productId, quantity: 1 } })).status()).toBe(201);
  const order = await request.post('/api/orders/', {
    data: {
      session_id,
      email: 'buyer@example.com',
      shipping_address: { name: 'Buyer', line1: '1 Main St', line2: '', city: 'Boston', postal_code: '02101', country: 'US' },
      shipping_method: 'standard',
      payment: { method: 'cash_on_delivery' },
    },
  });
  expect(order.status()).toBe(201);
  return (await order.json()).number as string;
}

for (const js of [true, false]) {
  test.describe(js ? 'admin with JavaScript' : 'admin without JavaScript', () => {
    // The archived product's page answers 404, which Chromium logs as a failed load.
    test.use({
      javaScriptEnabled: js,
      allowedConsoleErrors: [/^Failed to load resource: the server responded with a status of 404 .*\/product\/\d+/],
    });

    test('create a product with a photo, adjust its stock, ship an order', async ({ page, request }) => {
      const name = `E2E Teak Tray ${js ? 'js' : 'nojs'} ${Date.now()}`;
      await open(page, '/account/login?next=/admin', js);
      await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await post(page, 'Sign in', js);
      await expect(page).toHaveURL(/\/admin$/);
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
      await expect(page.getByTestId('revenue-chart')).toBeVisible();

      await page.getByRole('link', { name: 'New product', exact: true }).click();
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Description', { exact: true }).fill('Oiled teak, for tests.');
      await page.getByLabel('Price', { exact: true }).fill('27.50');
      await page.getByLabel('Category', { exact: true }).selectOption({ index: 1 });
      await page.getByLabel('Stock', { exact: true }).fill('3');
      await post(page, 'Create product', js);
      await expect(page.getByTestId('notice')).toHaveText('The product is saved.');
      await expect(page.getByTestId('admin-stock')).toHaveText('3 in stock');
      const id = Number(new URL(page.url()).pathname.split('/').pop());

      await page.getByLabel(/^Photo \(JPEG/).setInputFiles({ name: 'tray.png', mimeType: 'image/png', buffer: PNG });
      await post(page, 'Upload photo', js);
      await expect(page.getByTestId('notice')).toHaveText('The photo is saved.');

      await page.getByLabel('Change', { exact: true }).fill('5');
      await page.getByLabel('Reason', { exact: true }).selectOption('received');
      await post(page, 'Adjust stock', js);
      await expect(page.getByTestId('admin-stock')).toHaveText('8 in stock');
      await expect(page.getByTestId('stock-history').getByRole('row')).toHaveCount(3);

      // The shop shows it, with its photo.
      await open(page, `/product/${id}`, js);
      await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
      await expect(page.locator('img.product-image')).toHaveAttribute('src', /^\/media\/[0-9a-f]+-800\.webp$/);
      await expect(page.locator('img.product-image')).toHaveAttribute('srcset', /-400\.webp 400w, .*-800\.webp 800w$/);
      await expect(page.getByTestId('product-detail')).toContainText('8 in stock');

      // Someone buys it; staff ship the order.
      const number = await someoneOrders(request, id);
      await open(page, '/admin/orders', js);
      await page.getByLabel('Number or email', { exact: true }).fill(number);
      await post(page, 'Find', js);
      await page.getByRole('link', { name: number, exact: true }).click();
      if (js) await waitForHydration(page);
      await expect(page.getByTestId('admin-order-status')).toHaveText('Placed (pay on delivery)');
      await page.getByLabel('Tracking number', { exact: true }).fill('1Z-E2E-42');
      await post(page, 'Ship', js);
      await expect(page.getByTestId('notice')).toHaveText('The order is updated.');
      await expect(page.getByTestId('admin-order-status')).toHaveText('Shipped');
      await expect(page.getByTestId('order-history')).toContainText('Tracking number 1Z-E2E-42');
      await expect(page.getByRole('button', { name: 'Cancel order' })).toHaveCount(0);

      // Archived, it leaves the shop (and the other specs' catalogue is as seeded again).
      await open(page, `/admin/products/${id}`, js);
      await post(page, 'Archive product', js);
      await expect(page.getByTestId('archived')).toBeVisible();
      const gone = await page.goto(`/product/${id}`);
      expect(gone?.status()).toBe(404);
    });
  });
}
