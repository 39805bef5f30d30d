import { test, expect } from './fixtures';

// The same flows with JavaScript off: every page is rendered by the server, links are plain
// links, and cart forms post to the server, which redirects back to the page they came from.
//
// Products used (each test has its own, none shared with shop.spec.ts):
//   1  Stoneware Coffee Mug                 25 Washi Tape Set (first on page 2)
//   3  Two-Person Dome Tent $219.00         20 The Slow Kitchen Cookbook $29.00
//   21 Resistance Band Set $19.90           22 Olive Wood Cutting Board $34.90
//   24 Rechargeable Camping Lantern $34.00  27 Chef's Knife 20 cm $89.00
//   18 Bookshelf Speaker Pair $249.00       12 Cast Iron Skillet 26 cm (stock 3)
//   16 Cast Iron Kettlebell 12 kg (stock 0)

test.use({ javaScriptEnabled: false });

test.describe('without JavaScript', () => {
  test('browse: 24 products, page 2 through its link', async ({ page, shop }) => {
    await shop.home.goto();
    await expect(shop.home.cards).toHaveCount(24);
    await expect(shop.home.card('Stoneware Coffee Mug')).toBeVisible();
    await expect(shop.home.pageLink(1)).toHaveAttribute('aria-current', 'page');

    await shop.home.pageLink(2).click();
    await expect(page).toHaveURL(/\/\?page=2$/);
    await expect(shop.home.cards).toHaveCount(24);
    await expect(shop.home.cards.first()).toContainText('Washi Tape Set');
    await expect(shop.home.card('Stoneware Coffee Mug')).toHaveCount(0);
    await expect(shop.home.pageLink(2)).toHaveAttribute('aria-current', 'page');
  });

  test('open a product from its card', async ({ page, shop }) => {
    await shop.home.goto();
    await shop.home.openProduct('Two-Person Dome Tent');
    await expect(page).toHaveURL(/\/product\/3$/);
    await expect(shop.product.price).toHaveText('$219.00');
    await expect(page.getByTestId('product-detail')).toContainText('14 in stock');
    await expect(shop.product.quantity).toHaveValue('1');
    await expect(shop.product.addButton).toBeEnabled();
  });

  test('add to cart: the form posts, comes back, and the count updates', async ({ page, shop }) => {
    await shop.product.goto(20);
    await expect(shop.navbar.cartCount).toHaveText('0');

    await shop.product.add(3);
    await expect(page).toHaveURL(/\/product\/20(\?.*)?$/);
    await expect(shop.product.heading('The Slow Kitchen Cookbook')).toBeVisible();
    await expect(shop.navbar.cartCount).toHaveText('3');
    await expect(shop.navbar.cartLink).toHaveAccessibleName('Cart 3 items');
    await expect(page.getByRole('alert')).toHaveCount(0);

    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('4');

    await shop.cart.goto();
    await expect(shop.cart.quantityOf('The Slow Kitchen Cookbook')).toHaveValue('4');
    await expect(shop.cart.lineTotal('The Slow Kitchen Cookbook')).toHaveText('$116.00');
    await expect(shop.cart.total).toHaveText('$116.00');
  });

  test('change quantity: line total, cart total and count are right', async ({ page, shop }) => {
    await shop.product.goto(21);
    await shop.product.add(1);
    await shop.product.goto(22);
    await shop.product.add(2);
    await expect(shop.navbar.cartCount).toHaveText('3');

    await shop.cart.goto();
    await expect(shop.cart.rows).toHaveCount(2);
    await expect(shop.cart.lineTotal('Resistance Band Set')).toHaveText('$19.90');
    await expect(shop.cart.lineTotal('Olive Wood Cutting Board')).toHaveText('$69.80');
    await expect(shop.cart.total).toHaveText('$89.70');

    await shop.cart.setQuantity('Resistance Band Set', 4);
    await expect(page).toHaveURL(/\/cart(\?.*)?$/);
    await expect(shop.cart.quantityOf('Resistance Band Set')).toHaveValue('4');
    await expect(shop.cart.lineTotal('Resistance Band Set')).toHaveText('$79.60');
    await expect(shop.cart.lineTotal('Olive Wood Cutting Board')).toHaveText('$69.80');
    await expect(shop.cart.total).toHaveText('$149.40');
    await expect(shop.navbar.cartCount).toHaveText('6');

    // Quantity 0 removes the line.
    await shop.cart.setQuantity('Olive Wood Cutting Board', 0);
    await expect(shop.cart.rows).toHaveCount(1);
    await expect(shop.cart.row('Olive Wood Cutting Board')).toHaveCount(0);
    await expect(shop.cart.total).toHaveText('$79.60');
    await expect(shop.navbar.cartCount).toHaveText('4');
  });

  test('remove a line; removing the last shows the empty state', async ({ page, shop }) => {
    await shop.cart.goto();
    await expect(shop.cart.empty).toBeVisible();
    await expect(shop.cart.empty.getByRole('link', { name: 'Continue shopping' })).toBeVisible();

    await shop.product.goto(24);
    await shop.product.add(1);
    await shop.product.goto(27);
    await shop.product.add(1);
    await expect(shop.navbar.cartCount).toHaveText('2');

    await shop.cart.goto();
    await expect(shop.cart.rows).toHaveCount(2);
    await expect(shop.cart.total).toHaveText('$123.00');

    await shop.cart.remove('Rechargeable Camping Lantern');
    await expect(page).toHaveURL(/\/cart(\?.*)?$/);
    await expect(shop.cart.rows).toHaveCount(1);
    await expect(shop.cart.row('Rechargeable Camping Lantern')).toHaveCount(0);
    await expect(shop.cart.total).toHaveText('$89.00');
    await expect(shop.navbar.cartCount).toHaveText('1');

    await shop.cart.remove("Chef's Knife 20 cm");
    await expect(shop.cart.empty).toBeVisible();
    await expect(shop.cart.rows).toHaveCount(0);
    await expect(shop.navbar.cartCount).toHaveText('0');

    await shop.cart.empty.getByRole('link', { name: 'Continue shopping' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(shop.home.cards).toHaveCount(24);
  });

  test('count and total are right across several products', async ({ shop }) => {
    await shop.product.goto(18);
    await shop.product.add(2);
    await shop.product.goto(1);
    await shop.product.add(3);
    await expect(shop.navbar.cartCount).toHaveText('5');

    await shop.cart.goto();
    await expect(shop.cart.lineTotal('Bookshelf Speaker Pair')).toHaveText('$498.00');
    await expect(shop.cart.lineTotal('Stoneware Coffee Mug')).toHaveText('$44.70');
    await expect(shop.cart.total).toHaveText('$542.70');
    await expect(shop.navbar.cartCount).toHaveText('5');
  });

  test('over-stock: the error is shown after the redirect', async ({ page, shop }) => {
    // Cast Iron Skillet 26 cm: 3 in stock.
    await shop.product.goto(12);
    await shop.product.add(2);
    await expect(shop.navbar.cartCount).toHaveText('2');

    await shop.product.add(2);
    await expect(page).toHaveURL(/\/product\/12(\?.*)?$/);
    await expect(shop.product.heading('Cast Iron Skillet 26 cm')).toBeVisible();
    await expect(shop.product.status).toHaveText('Only 1 left');
    await expect(shop.product.status).toHaveRole('alert');
    await expect(shop.navbar.cartCount).toHaveText('2');

    await shop.cart.goto();
    await expect(shop.cart.quantityOf('Cast Iron Skillet 26 cm')).toHaveValue('2');
  });

  test('a sold-out product has a disabled button', async ({ shop }) => {
    await shop.product.goto(16);
    await expect(shop.product.heading('Cast Iron Kettlebell 12 kg')).toBeVisible();
    await expect(shop.product.soldOutButton).toBeDisabled();
    await expect(shop.product.quantity).toBeDisabled();
    await expect(shop.product.addButton).toHaveCount(0);
  });

  test.describe('unknown product', () => {
    // Chromium reports the 404 document itself as a failed resource load.
    test.use({ allowedConsoleErrors: [/Failed to load resource: the server responded with a status of 404/] });

    test('is a real 404 page', async ({ page, shop }) => {
      const response = await shop.product.goto(999999);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
      await expect(page).toHaveTitle(/Page not found/);
    });
  });
});
