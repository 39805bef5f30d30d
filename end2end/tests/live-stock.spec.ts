import { test, expect, open, waitForHydration, ADA, Shop } from './fixtures';
import type { APIRequestContext, Page } from '@playwright/test';

// Live stock (issue 16): with JavaScript, an island keeps one EventSource open per page and
// updates the product page and the product cards as stock changes (another shopper's
// checkout, staff's adjustments); without it, pages stay as the server rendered them. A
// sold-out product page offers to email the shopper when it is back.
//
// Every product here is made for the test through the staff API (an API token of the admin
// `shop admin create` made, see playwright.config.ts) and archived afterwards, so the seeded
// catalogue the other specs count on is untouched.

const ADMIN = { email: 'admin@example.com', password: 'admin e2e passphrase' };
const NOTIFY_BUTTON = /^Email me when it[’']s back$/;
const NOTIFY_DONE = /We[’']ll email you/;
const PAGE_SIZE = 24; // products per home page

let staff: APIRequestContext | undefined;
const made: number[] = [];

// Signs the admin in through the form and creates an API token through the account's form,
// as end2end/schemathesis/run does: once for the file (sign-ins are throttled).
test.beforeAll(async ({ playwright }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  const browserless = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL } });
  try {
    const signedIn = await browserless.post('/account/login', {
      form: { email: ADMIN.email, password: ADMIN.password },
      maxRedirects: 0,
    });
    expect(signedIn.status(), 'the admin signs in').toBe(303);
    const created = await browserless.post('/account/tokens', { form: { name: 'live stock e2e' }, maxRedirects: 0 });
    expect(created.status(), 'the token is created').toBe(201);
    const token = (await created.text()).match(/hp_[0-9a-f]{32}/)?.[0];
    expect(token, 'the account page shows the new token').toBeTruthy();
    staff = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  } finally {
    await browserless.dispose();
  }
});

// Archived, they leave the shop (and the other specs' catalogue is as seeded again).
test.afterAll(async () => {
  if (!staff) return;
  for (const id of made) {
    const archived = await staff.delete(`/api/products/${id}/`);
    expect([204, 404], `archiving product ${id}`).toContain(archived.status());
  }
  await staff.dispose();
});

function api() {
  if (!staff) throw new Error('no staff API token (beforeAll failed)');
  return staff;
}

/** A new product with `stock` units, through the staff API; its id. */
async function newProduct(name: string, stock: number, category = 'kitchen') {
  const res = await api().post('/api/products/', {
    data: { name, description: 'Made by the live stock e2e test.', price: '12.50', category, stock },
  });
  expect(res.status(), await res.text()).toBe(201);
  const id = (await res.json()).id as number;
  made.push(id);
  return id;
}

/** Staff adjust the stock by `delta`; the new stock. */
async function adjustStock(id: number, delta: number) {
  const res = await api().post(`/api/products/${id}/stock/`, {
    data: { delta, reason: delta > 0 ? 'received' : 'correction' },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).stock as number;
}

/** The island's stream is open (`<html data-live-stock="open">`). */
async function streamOpen(page: Page) {
  await page.locator('html[data-live-stock="open"]').waitFor({ state: 'attached' });
}

/** The stock parts of product `id`'s page. */
function productView(page: Page, id: number) {
  const detail = page.locator(`article[data-testid="product-detail"][data-stock-product="${id}"]`);
  return {
    detail,
    badge: detail.getByTestId('stock-badge'),
    count: detail.getByTestId('stock-count'),
    addButton: detail.getByRole('button', { name: 'Add to Cart' }),
    soldOutButton: detail.getByRole('button', { name: 'Sold out' }),
    quantity: detail.getByLabel('Quantity', { exact: true }),
    notify: page.getByTestId('back-in-stock'),
  };
}

/** Product `id`'s card's stock badge. */
function cardBadge(page: Page, id: number) {
  return page.locator(`li[data-testid="product-card"][data-stock-product="${id}"]`).getByTestId('stock-badge');
}

test.describe('live stock with JavaScript', () => {
  test.use({ javaScriptEnabled: true });

  test('a product page follows another shopper buying the last unit, then a restock', async ({ page, browser }) => {
    const id = await newProduct(`E2E Last Lantern ${Date.now()}`, 1);
    const view = productView(page, id);
    await open(page, `/product/${id}`, true);
    await streamOpen(page);
    await expect(view.badge).toHaveText('Only 1 left');
    await expect(view.count).toHaveText('1 in stock');
    await expect(view.addButton).toBeEnabled();
    await expect(view.notify).toBeHidden();
    // Gone after a reload: what follows must happen on this very page.
    await page.evaluate(() => ((window as unknown as { liveStockMark: boolean }).liveStockMark = true));

    // Another shopper, in a browser of their own, buys the last one.
    const other = await browser.newContext({ javaScriptEnabled: true });
    try {
      const buyer = new Shop(await other.newPage(), true);
      await buyer.product.goto(id);
      await buyer.product.add(1);
      await expect(buyer.navbar.cartCount).toHaveText('1');
      await buyer.checkout.goto();
      await buyer.checkout.fillAddress(ADA);
      await buyer.checkout.cash.check();
      await buyer.checkout.placeOrder();
      await expect(buyer.order.heading).toBeVisible();
    } finally {
      await other.close();
    }

    await expect(view.badge).toHaveText('Sold out');
    await expect(view.soldOutButton).toBeDisabled();
    await expect(view.addButton).toHaveCount(0);
    await expect(view.count).toBeHidden();
    await expect(view.notify).toBeVisible();
    await expect(view.notify.getByLabel('Email', { exact: true })).toBeVisible();
    await expect(view.notify.getByRole('button', { name: NOTIFY_BUTTON })).toBeVisible();

    // Staff restock it.
    expect(await adjustStock(id, 3)).toBe(3);
    await expect(view.badge).toHaveText('Only 3 left');
    await expect(view.count).toBeVisible();
    await expect(view.count).toHaveText('3 in stock');
    await expect(view.addButton).toBeEnabled();
    await expect(view.quantity).toBeEnabled();
    // The most one may ask for follows the stock too.
    await expect(view.quantity).toHaveAttribute('max', '3');
    await expect(view.notify).toBeHidden();
    expect(await page.evaluate(() => (window as unknown as { liveStockMark?: boolean }).liveStockMark)).toBe(true);

    // And the form works again as it now stands.
    await view.addButton.click();
    await expect(page.getByTestId('status').filter({ hasText: 'You now have 1 in your cart' })).toBeVisible();
  });

  test('product cards on the home and category pages follow stock changes', async ({ page, context }) => {
    const id = await newProduct(`E2E Live Card ${Date.now()}`, 10, 'kitchen');
    // The newest product is the last one on the home page's last page.
    const listed = await api().get('/api/products/?page_size=1');
    expect(listed.status()).toBe(200);
    const lastPage = Math.ceil(((await listed.json()).count as number) / PAGE_SIZE);
    await open(page, lastPage > 1 ? `/?page=${lastPage}` : '/', true);
    await streamOpen(page);
    const onHome = cardBadge(page, id);
    await expect(onHome).toHaveText('In stock');

    // The category, newest first, in a second tab.
    const tab = await context.newPage();
    await open(tab, '/category/kitchen?sort=-created_at', true);
    await streamOpen(tab);
    const inCategory = cardBadge(tab, id);
    await expect(inCategory).toHaveText('In stock');

    expect(await adjustStock(id, -7)).toBe(3);
    await expect(onHome).toHaveText('Only 3 left');
    await expect(inCategory).toHaveText('Only 3 left');

    expect(await adjustStock(id, -3)).toBe(0);
    await expect(onHome).toHaveText('Sold out');
    await expect(inCategory).toHaveText('Sold out');

    expect(await adjustStock(id, 20)).toBe(20);
    await expect(onHome).toHaveText('In stock');
    await expect(inCategory).toHaveText('In stock');
    await tab.close();
  });
});

for (const js of [true, false]) {
  test.describe(js ? 'back in stock with JavaScript' : 'back in stock without JavaScript', () => {
    test.use({ javaScriptEnabled: js });

    test('a sold-out product takes an email, once or twice alike', async ({ page }) => {
      const id = await newProduct(`E2E Sold Out ${js ? 'js' : 'nojs'} ${Date.now()}`, 0);
      const view = productView(page, id);
      await open(page, `/product/${id}`, js);
      await expect(view.badge).toHaveText('Sold out');
      await expect(view.soldOutButton).toBeDisabled();
      await expect(view.count).toBeHidden();
      await expect(view.notify).toBeVisible();

      for (const round of [1, 2]) {
        await view.notify.getByLabel('Email', { exact: true }).fill('waiting@example.com');
        // A plain form post, with JavaScript or without: the server redirects back to the
        // product page, which says so. The second time the page already says it: the
        // answer to this very post is what counts.
        const answered = page.waitForResponse((r) => r.request().method() === 'POST');
        const loaded = page.waitForEvent('load');
        await view.notify.getByRole('button', { name: NOTIFY_BUTTON }).click();
        expect((await answered).status(), `subscription ${round}`).toBeLessThan(400);
        await loaded;
        if (js) await waitForHydration(page);
        await expect(page.getByRole('status').filter({ hasText: NOTIFY_DONE })).toBeVisible();
        await expect(page.getByRole('alert')).toHaveCount(0);
        await expect(view.notify).toBeVisible();
      }
    });
  });
}

test.describe('live stock without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the page stays exactly as rendered; a reload shows the change', async ({ page, browser }) => {
    const id = await newProduct(`E2E Static Shelf ${Date.now()}`, 4);
    const view = productView(page, id);
    await open(page, `/product/${id}`, false);
    await expect(view.badge).toHaveText('Only 4 left');
    await expect(view.count).toHaveText('4 in stock');
    await expect(page.locator('html')).not.toHaveAttribute('data-live-stock', 'open');

    // A shopper with JavaScript on the same page: when theirs shows the change, it was sent.
    const witnessContext = await browser.newContext({ javaScriptEnabled: true });
    try {
      const witness = await witnessContext.newPage();
      await open(witness, `/product/${id}`, true);
      await streamOpen(witness);
      expect(await adjustStock(id, -4)).toBe(0);
      await expect(productView(witness, id).badge).toHaveText('Sold out');
    } finally {
      await witnessContext.close();
    }

    await expect(view.badge).toHaveText('Only 4 left');
    await expect(view.count).toHaveText('4 in stock');
    await expect(view.addButton).toBeEnabled();
    await expect(view.soldOutButton).toHaveCount(0);
    await expect(view.notify).toBeHidden();

    await page.reload();
    await expect(view.badge).toHaveText('Sold out');
    await expect(view.soldOutButton).toBeDisabled();
    await expect(view.notify).toBeVisible();
  });
});
