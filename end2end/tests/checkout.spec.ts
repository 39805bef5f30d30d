import { test, expect, ADA, type Shop } from './fixtures';
import type { APIRequestContext } from '@playwright/test';

// Checkout, with JavaScript on and off: the whole purchase, a declined card, stock that ran
// out after the cart was filled, field errors, cash on delivery.
//
// Products used (none shared with the other specs, since orders change stock):
//   with JS:    26 Speed Jump Rope $17.50      31 High-Density Foam Roller $26.00
//               39 Carbon Trekking Poles (2)   34 Folding Camp Chair $45.00
//               35 Aluminium Laptop Stand $44.00
//   without JS: 30 Silent Wireless Mouse $24.90 36 Weekly Desk Planner $18.00
//               2 Studio Over-Ear Headphones (1) 37 Glass Storage Jar Set $24.90
//               38 Retro Pocket Radio $29.90
//   double clicks: 40 Merino Felt Desk Mat (21) with JS, 42 Fitness Tracker Band (44) without

const products = {
  js: { full: 26, declined: 31, scarce: 39, invalid: 34, cash: 35, twice: 40, twiceStock: 21 },
  noJs: { full: 30, declined: 36, scarce: 2, invalid: 37, cash: 38, twice: 42, twiceStock: 44 },
};

/** Another shopper, through the REST API, buys `quantity` of a product. */
async function someoneElseBuys(request: APIRequestContext, productId: number, quantity: number) {
  const session_id = `e2e-other-${productId}-${Date.now()}`;
  const added = await request.post('/api/cart/', { data: { session_id, product_id: productId, quantity } });
  expect(added.status()).toBe(201);
  const order = await request.post('/api/orders/', {
    data: {
      session_id,
      email: 'other@example.com',
      shipping_address: { name: 'Other', line1: '1 Main St', line2: '', city: 'Boston', postal_code: '02101', country: 'US' },
      shipping_method: 'standard',
      payment: { method: 'cash_on_delivery' },
    },
  });
  expect(order.status()).toBe(201);
}

async function stockText(shop: Shop, productId: number) {
  await shop.product.goto(productId);
  return shop.page.getByTestId('product-detail').textContent();
}

for (const js of [true, false]) {
  const ids = js ? products.js : products.noJs;

  test.describe(js ? 'checkout with JavaScript' : 'checkout without JavaScript', () => {
    // A refused order answers the form post with its status (400, 402, 409), which Chromium
    // logs as a failed resource load of the page itself.
    test.use({
      javaScriptEnabled: js,
      allowedConsoleErrors: [/^Failed to load resource: the server responded with a status of 40[029] .*\/checkout\b/],
    });

    test('an empty cart has no checkout', async ({ page, shop }) => {
      await shop.cart.goto();
      await expect(shop.cart.empty).toBeVisible();
      await expect(page.getByRole('link', { name: 'Checkout' })).toHaveCount(0);
      await shop.checkout.goto();
      await expect(page.getByTestId('empty-cart')).toBeVisible();
      await expect(shop.checkout.placeOrderButton).toHaveCount(0);
    });

    test('the whole checkout, by card', async ({ page, shop }) => {
      await shop.product.goto(ids.full);
      await shop.product.add(2);
      await expect(shop.navbar.cartCount).toHaveText('2');
      await shop.cart.goto();
      const subtotal = await shop.cart.total.textContent();

      await page.getByRole('link', { name: 'Checkout' }).click();
      await expect(page).toHaveURL(/\/checkout$/);
      if (js) await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
      await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
      await expect(shop.checkout.country).toHaveValue('US');
      await expect(shop.checkout.standard).toBeChecked();
      await expect(shop.checkout.card).toBeChecked();
      await expect(shop.checkout.subtotal).toHaveText(subtotal!);
      await expect(shop.checkout.shipping).toHaveText('$4.90');

      if (js) {
        // The summary follows the shipping choice.
        await shop.checkout.express.check();
        await expect(shop.checkout.shipping).toHaveText('$14.90');
        await shop.checkout.standard.check();
        await expect(shop.checkout.shipping).toHaveText('$4.90');
      }

      await shop.checkout.fillAddress({ ...ADA, country: 'CA' });
      await shop.checkout.express.check();
      await shop.checkout.payByCard('4242 4242 4242 4242');
      await shop.checkout.placeOrder();

      await expect(page).toHaveURL(/\/orders\/[0-9a-f]{32}$/);
      await expect(shop.order.heading).toBeVisible();
      await expect(shop.order.number).toHaveText(/^HP-\d{5,}$/);
      await expect(shop.order.status).toHaveText('Paid');
      await expect(shop.order.lines).toHaveCount(1);
      await expect(shop.order.address).toContainText('Ada Lovelace');
      await expect(shop.order.address).toContainText('Canada');
      await expect(page.getByTestId('order-shipping-method')).toHaveText('Express');
      await expect(page.getByTestId('order-payment')).toHaveText('Card ending in 4242');
      await expect(shop.navbar.cartCount).toHaveText('0');
      const total = await shop.order.total.textContent();
      const number = await shop.order.number.textContent();

      // The page stays reachable by its link.
      await page.reload();
      await expect(shop.order.number).toHaveText(number!);
      await expect(shop.order.total).toHaveText(total!);

      await shop.cart.goto();
      await expect(shop.cart.empty).toBeVisible();
      await expect(shop.navbar.cartCount).toHaveText('0');
    });

    test('a declined card keeps the cart, the form and the stock', async ({ page, shop }) => {
      const before = await stockText(shop, ids.declined);
      await shop.product.add(1);
      await expect(shop.navbar.cartCount).toHaveText('1');

      await shop.checkout.goto();
      await shop.checkout.fillAddress(ADA);
      await shop.checkout.payByCard('4000 0000 0000 0002');
      await shop.checkout.placeOrder();

      await expect(page).toHaveURL(/\/checkout$/);
      await expect(shop.checkout.error).toHaveText('Your card was declined.');
      await expect(shop.checkout.error).toHaveRole('alert');
      await expect(shop.checkout.email).toHaveValue(ADA.email);
      await expect(shop.checkout.city).toHaveValue(ADA.city);
      await expect(shop.checkout.line2).toHaveValue(ADA.line2!);
      await expect(shop.navbar.cartCount).toHaveText('1');

      // Another card goes through from the same form.
      await shop.checkout.payByCard('4242 4242 4242 4242');
      await shop.checkout.placeOrder();
      await expect(shop.order.heading).toBeVisible();
      await expect(shop.order.status).toHaveText('Paid');
      expect(await stockText(shop, ids.declined)).not.toEqual(before);
    });

    test('stock that ran out names the product and what is left', async ({ page, shop, request }) => {
      await shop.product.goto(ids.scarce);
      await shop.product.add(js ? 2 : 1);
      await expect(shop.navbar.cartCount).toHaveText(js ? '2' : '1');
      await shop.checkout.goto();
      await shop.checkout.fillAddress(ADA);
      await shop.checkout.cash.check();

      await someoneElseBuys(request, ids.scarce, 1);
      await shop.checkout.placeOrder();

      await expect(shop.checkout.error).toContainText(js ? 'Carbon Trekking Poles: only 1 left' : 'Studio Over-Ear Headphones: sold out');
      await expect(shop.checkout.email).toHaveValue(ADA.email);
      await expect(shop.navbar.cartCount).toHaveText(js ? '2' : '1');
      await expect(page.getByRole('link', { name: 'Review your cart' })).toBeVisible();
    });

    test('invalid fields are marked and the form keeps what was typed', async ({ page, shop }) => {
      await shop.product.goto(ids.invalid);
      await shop.product.add(1);
      await expect(shop.navbar.cartCount).toHaveText('1');
      await shop.checkout.goto();
      await shop.checkout.fillAddress({ ...ADA, email: 'not-an-email', city: '' });
      await shop.checkout.payByCard('4242 4242 4242 4241');
      await shop.checkout.placeOrder();

      await expect(page).toHaveURL(/\/checkout$/);
      await expect(shop.checkout.error).toBeVisible();
      for (const field of [shop.checkout.email, shop.checkout.city, shop.checkout.cardNumber]) {
        await expect(field).toHaveAttribute('aria-invalid', 'true');
        const describedBy = await field.getAttribute('aria-describedby');
        await expect(page.locator(`[id="${describedBy}"]`)).not.toBeEmpty();
      }
      await expect(shop.checkout.email).toHaveAccessibleDescription(/email address/);
      await expect(shop.checkout.name).not.toHaveAttribute('aria-invalid', 'true');
      await expect(shop.checkout.email).toHaveValue('not-an-email');
      await expect(shop.checkout.name).toHaveValue(ADA.name);
      await expect(shop.checkout.postalCode).toHaveValue(ADA.postalCode);
      await expect(shop.navbar.cartCount).toHaveText('1');
    });

    test('double-clicking Place order makes one order', async ({ page, shop }) => {
      await shop.product.goto(ids.twice);
      await expect(page.getByTestId('product-detail')).toContainText(`${ids.twiceStock} in stock`);
      await shop.product.add(1);
      await expect(shop.navbar.cartCount).toHaveText('1');
      await shop.checkout.goto();
      await shop.checkout.fillAddress(ADA);
      await shop.checkout.cash.check();
      await shop.checkout.placeOrderButton.dblclick();
      await expect(shop.order.heading).toBeVisible();
      await expect(shop.navbar.cartCount).toHaveText('0');
      await shop.product.goto(ids.twice);
      await expect(page.getByTestId('product-detail')).toContainText(`${ids.twiceStock - 1} in stock`);
    });

    test('cash on delivery places the order', async ({ shop }) => {
      await shop.product.goto(ids.cash);
      await shop.product.add(2);
      await expect(shop.navbar.cartCount).toHaveText('2');
      await shop.checkout.goto();
      await shop.checkout.fillAddress(ADA);
      await shop.checkout.cash.check();
      await shop.checkout.placeOrder();
      await expect(shop.order.heading).toBeVisible();
      await expect(shop.order.status).toHaveText('Placed (pay on delivery)');
      await expect(shop.navbar.cartCount).toHaveText('0');
    });
  });
}
