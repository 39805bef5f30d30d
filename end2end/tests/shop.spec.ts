import { test, expect } from './fixtures';

// Every flow with JavaScript on: the app hydrates, and cart actions run as server actions
// without reloading the page.
//
// Products used (ids are catalogue.json positions; each test has its own):
//   1  Stoneware Coffee Mug $14.90          25 Washi Tape Set $8.90 (first on page 2)
//   4  Adjustable Desk Lamp $79.00 (33)     5  Dotted Notebook A5 $16.50
//   6  Hex Dumbbell 10 kg $32.00            7  Wireless Earbuds Pro $129.90
//   8  Trail Daypack 22 L $69.00            48 Duo Espresso Machine $649.00 (stock 2)
//   11 Cork Yoga Mat $64.00                 13 Insulated Water Bottle 750 ml $27.50
//   23 Pebble Portable Speaker $59.00       9  Ergonomic Mesh Office Chair (stock 3)
//   10 Classic Fountain Pen (stock 0)       14, 15, 17 and 32, 33 for "recently viewed"
//   3  Two-Person Dome Tent (14)

test.use({ javaScriptEnabled: true });

test.describe('with JavaScript', () => {
  test('home lists 24 products per page and page 2 works', async ({ page, shop }) => {
    await shop.home.goto();
    await expect(page).toHaveTitle(/Shop/);
    await expect(shop.home.cards).toHaveCount(24);
    await expect(shop.home.card('Stoneware Coffee Mug')).toBeVisible();
    await expect(shop.home.card('Washi Tape Set')).toHaveCount(0);
    await expect(shop.home.pageLink(1)).toHaveAttribute('aria-current', 'page');

    await shop.home.pageLink(2).click();
    await expect(page).toHaveURL(/\/\?page=2$/);
    await expect(shop.home.card('Washi Tape Set')).toBeVisible();
    await expect(shop.home.cards).toHaveCount(24);
    await expect(shop.home.card('Stoneware Coffee Mug')).toHaveCount(0);
    await expect(shop.home.pageLink(2)).toHaveAttribute('aria-current', 'page');

    // Loading /?page=2 directly renders the same page.
    await shop.home.goto(2);
    await expect(shop.home.cards).toHaveCount(24);
    await expect(shop.home.cards.first()).toContainText('Washi Tape Set');
    await expect(shop.home.cards.last()).toContainText('Duo Espresso Machine');
  });

  test('product detail opens from its card', async ({ page, shop }) => {
    await shop.home.goto();
    await shop.home.openProduct('Adjustable Desk Lamp');
    await expect(page).toHaveURL(/\/product\/4$/);
    await expect(page).toHaveTitle(/Adjustable Desk Lamp/);
    await expect(shop.product.price).toHaveText('$79.00');
    await expect(page.getByTestId('product-detail')).toContainText('33 in stock');
    await expect(shop.product.quantity).toHaveValue('1');
    await expect(shop.product.addButton).toBeEnabled();
  });

  test('adding to cart updates the count without a reload', async ({ page, shop }) => {
    await shop.product.goto(5);
    await expect(shop.product.heading('Dotted Notebook A5')).toBeVisible();
    await expect(shop.navbar.cartCount).toHaveText('0');

    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => ((window as any).__e2eMarker = 'still here'));
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));

    await shop.product.add(2);
    await expect(shop.product.status).toHaveText('Added to cart. You now have 2 in your cart.');
    await expect(shop.product.status).toHaveRole('status');
    await expect(shop.navbar.cartCount).toHaveText('2');

    await shop.product.add(1);
    await expect(shop.product.status).toHaveText('Added to cart. You now have 3 in your cart.');
    await expect(shop.navbar.cartCount).toHaveText('3');
    await expect(shop.navbar.cartLink).toHaveAccessibleName('Cart 3 items');

    expect(await page.evaluate(() => (window as any).__e2eMarker)).toBe('still here');
    expect(loads).toEqual([]);
    await expect(page).toHaveURL(/\/product\/5$/);
  });

  test('cart page lists lines with their totals', async ({ page, shop }) => {
    await shop.product.goto(6);
    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('1');
    await shop.product.goto(7);
    await shop.product.add(2);
    await expect(shop.navbar.cartCount).toHaveText('3');

    await shop.navbar.cartLink.click();
    await expect(page).toHaveURL(/\/cart$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Your cart' })).toBeVisible();
    await expect(shop.cart.rows).toHaveCount(2);
    await expect(shop.cart.quantityOf('Hex Dumbbell 10 kg')).toHaveValue('1');
    await expect(shop.cart.quantityOf('Wireless Earbuds Pro')).toHaveValue('2');
    await expect(shop.cart.lineTotal('Hex Dumbbell 10 kg')).toHaveText('$32.00');
    await expect(shop.cart.lineTotal('Wireless Earbuds Pro')).toHaveText('$259.80');
    await expect(shop.cart.total).toHaveText('$291.80');
    await expect(shop.navbar.cartCount).toHaveText('3');

    // A full load of /cart renders the same cart (the session cookie carries it).
    await shop.cart.goto();
    await expect(shop.cart.rows).toHaveCount(2);
    await expect(shop.cart.total).toHaveText('$291.80');
  });

  test('changing a quantity updates line total, cart total and count', async ({ shop }) => {
    await shop.product.goto(48);
    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('1');
    await shop.product.goto(8);
    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('2');

    await shop.cart.goto();
    await expect(shop.cart.lineTotal('Duo Espresso Machine')).toHaveText('$649.00');
    await expect(shop.cart.total).toHaveText('$718.00');

    await shop.cart.setQuantity('Duo Espresso Machine', 2);
    await expect(shop.cart.status).toHaveText('Updated: 2 × Duo Espresso Machine');
    await expect(shop.cart.lineTotal('Duo Espresso Machine')).toHaveText('$1,298.00');
    await expect(shop.cart.total).toHaveText('$1,367.00');
    await expect(shop.navbar.cartCount).toHaveText('3');
    await expect(shop.cart.quantityOf('Duo Espresso Machine')).toHaveValue('2');
    await expect(shop.cart.lineTotal('Trail Daypack 22 L')).toHaveText('$69.00');

    // The change is stored: a reload shows it.
    await shop.cart.goto();
    await expect(shop.cart.total).toHaveText('$1,367.00');
    await expect(shop.navbar.cartCount).toHaveText('3');
  });

  test('removing a line updates the cart', async ({ shop }) => {
    await shop.product.goto(11);
    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('1');
    await shop.product.goto(13);
    await shop.product.add(2);
    await expect(shop.navbar.cartCount).toHaveText('3');

    await shop.cart.goto();
    await expect(shop.cart.rows).toHaveCount(2);
    await expect(shop.cart.total).toHaveText('$119.00');

    await shop.cart.remove('Cork Yoga Mat');
    await expect(shop.cart.status).toHaveText('Removed from your cart.');
    await expect(shop.cart.rows).toHaveCount(1);
    await expect(shop.cart.row('Cork Yoga Mat')).toHaveCount(0);
    await expect(shop.cart.total).toHaveText('$55.00');
    await expect(shop.navbar.cartCount).toHaveText('2');

    await shop.cart.goto();
    await expect(shop.cart.rows).toHaveCount(1);
    await expect(shop.cart.total).toHaveText('$55.00');
  });

  test('a browser that sends no Referer still sees its cart change in place', async ({ page, shop }) => {
    await shop.product.goto(3);
    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('1');
    await shop.cart.goto();
    // Privacy settings and extensions can drop the Referer, and a form post then comes back
    // to the home page instead of the cart: the island must still show the cart as it is.
    await page.evaluate(() => {
      const policy = document.createElement('meta');
      policy.name = 'referrer';
      policy.content = 'no-referrer';
      document.head.append(policy);
    });
    await page.evaluate(() => ((window as any).__e2eMarker = 'still here'));
    const posted = page.waitForResponse((r) => r.url().includes('/_fn/cart/update'));
    await shop.cart.setQuantity('Two-Person Dome Tent', 3);
    // The post really went without a Referer: the server sent it home.
    expect(new URL((await posted).headers()['location'], page.url()).pathname).toBe('/');
    await expect(shop.cart.status).toHaveText('Updated: 3 × Two-Person Dome Tent');
    await expect(shop.cart.quantityOf('Two-Person Dome Tent')).toHaveValue('3');
    await expect(shop.navbar.cartCount).toHaveText('3');
    expect(await page.evaluate(() => (window as any).__e2eMarker)).toBe('still here');
    await shop.cart.remove('Two-Person Dome Tent');
    await expect(shop.cart.empty).toBeVisible();
    await expect(shop.navbar.cartCount).toHaveText('0');
  });

  test('empty cart shows the empty state, also after removing the last line', async ({ page, shop }) => {
    await shop.cart.goto();
    await expect(shop.cart.empty).toBeVisible();
    await expect(shop.cart.empty).toContainText('Your cart is empty.');
    await expect(shop.cart.rows).toHaveCount(0);
    await expect(shop.cart.total).toHaveCount(0);
    await expect(shop.navbar.cartCount).toHaveText('0');

    await shop.product.goto(23);
    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('1');
    await shop.cart.goto();
    await expect(shop.cart.rows).toHaveCount(1);
    await shop.cart.remove('Pebble Portable Speaker');
    await expect(shop.cart.empty).toBeVisible();
    await expect(shop.navbar.cartCount).toHaveText('0');

    await shop.cart.empty.getByRole('link', { name: 'Continue shopping' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(shop.home.cards).toHaveCount(24);
  });

  test.describe('unknown product', () => {
    // Chromium reports the 404 document itself as a failed resource load.
    test.use({ allowedConsoleErrors: [/Failed to load resource: the server responded with a status of 404/] });

    test('is a real 404 page', async ({ page, shop }) => {
      const response = await shop.product.goto(999999);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
      await expect(page).toHaveTitle(/Page not found/);
      await expect(shop.product.addButton).toHaveCount(0);

      const notANumber = await page.goto('/product/not-a-number');
      expect(notANumber?.status()).toBe(404);
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    });
  });

  test.describe('over stock', () => {
    // The refused server action answers with an error status, which Chromium logs as a
    // failed resource load: expected here, and only for the add-to-cart request.
    test.use({
      allowedConsoleErrors: [/^Failed to load resource: the server responded with a status of \d+ .*\/_fn\/cart\/add\b/],
    });

    test('adding more than the stock is refused with a message', async ({ shop }) => {
      // Ergonomic Mesh Office Chair: 3 in stock.
      await shop.product.goto(9);
      await expect(shop.product.quantity).toHaveAttribute('max', '3');
      await shop.product.add(2);
      await expect(shop.product.status).toHaveText('Added to cart. You now have 2 in your cart.');
      await expect(shop.navbar.cartCount).toHaveText('2');

      await shop.product.add(2);
      await expect(shop.product.status).toHaveText('Only 1 left');
      await expect(shop.product.status).toHaveRole('alert');
      await expect(shop.navbar.cartCount).toHaveText('2');

      await shop.cart.goto();
      await expect(shop.cart.quantityOf('Ergonomic Mesh Office Chair')).toHaveValue('2');
    });
  });

  test('a sold-out product cannot be added', async ({ shop }) => {
    // Classic Fountain Pen: stock 0.
    await shop.product.goto(10);
    await expect(shop.product.heading('Classic Fountain Pen')).toBeVisible();
    await expect(shop.product.soldOutButton).toBeVisible();
    await expect(shop.product.soldOutButton).toBeDisabled();
    await expect(shop.product.quantity).toBeDisabled();
    await expect(shop.product.addButton).toHaveCount(0);
    await expect(shop.navbar.cartCount).toHaveText('0');
  });

  test('recently viewed lists the products viewed before', async ({ page, shop }) => {
    await shop.product.goto(14);
    await expect(shop.product.heading('Tenkeyless Mechanical Keyboard')).toBeVisible();
    await expect(shop.product.recentlyViewed).toHaveCount(0);

    await shop.product.goto(15);
    await expect(shop.product.heading('Spiral Sketchbook A4')).toBeVisible();
    await expect(shop.product.recentlyViewed).toBeVisible();
    await expect(shop.product.recentlyViewed.getByRole('link')).toHaveCount(1);

    await shop.product.goto(17);
    const strip = shop.product.recentlyViewed;
    await expect(strip).toBeVisible();
    await expect(strip.getByRole('heading', { name: 'Recently viewed' })).toBeVisible();
    const links = strip.getByRole('link');
    await expect(links).toHaveCount(2);
    // Latest first; the current product is not listed.
    await expect(links.nth(0)).toContainText('Spiral Sketchbook A4');
    await expect(links.nth(0)).toContainText('$12.90');
    await expect(links.nth(1)).toContainText('Tenkeyless Mechanical Keyboard');
    await expect(strip.getByRole('link', { name: /Gooseneck Pour-Over Kettle/ })).toHaveCount(0);
  });

  test('a recently viewed product opens from the strip', async ({ page, shop }) => {
    // A client-side navigation from one product page to another.
    await shop.product.goto(32);
    await expect(shop.product.heading('Enamel Dutch Oven 4.5 L')).toBeVisible();
    await shop.product.goto(33);
    await expect(shop.product.heading('USB Condenser Microphone')).toBeVisible();

    await shop.product.recentlyViewed.getByRole('link', { name: /Enamel Dutch Oven 4\.5 L/ }).click();
    await expect(page).toHaveURL(/\/product\/32$/);
    await expect(shop.product.heading('Enamel Dutch Oven 4.5 L')).toBeVisible();
    await expect(shop.product.price).toHaveText('$129.00');
    // Now the strip lists the product we came from.
    await expect(shop.product.recentlyViewed.getByRole('link')).toHaveCount(1);
    await expect(shop.product.recentlyViewed).toContainText('USB Condenser Microphone');
  });
});
