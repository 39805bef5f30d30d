import { test, expect, open, waitForHydration } from './fixtures';

// Search and category pages, with JavaScript on and off. Without it every control is a GET
// form or a link; with it, the search box suggests products (an ARIA combobox), and the
// listing changes in place (no reload), keeping its URL in the history.
//
// Only reads: no test here changes stock. Categories used and what is stable in them
// (checkout.spec sells none of their last units):
//   Kitchen (8): by price Stoneware Coffee Mug $14.90 first, Duo Espresso Machine $649.00 last;
//                by name Cast Iron Skillet 26 cm first.
//   Fitness (8): Cast Iron Kettlebell 12 kg is sold out, so 7 are in stock.

/** Fails the test if the page reloads: a marker on window survives only without one. */
async function watchForReloads(page: import('@playwright/test').Page) {
  await page.evaluate(() => ((window as any).__e2eMarker = 'still here'));
  const loads: string[] = [];
  page.on('load', () => loads.push(page.url()));
  return async () => {
    expect(await page.evaluate(() => (window as any).__e2eMarker)).toBe('still here');
    expect(loads).toEqual([]);
  };
}

test.describe('with JavaScript', () => {
  test.use({ javaScriptEnabled: true });

  test('search from the navbar', async ({ page, shop }) => {
    await open(page, '/', true);
    await shop.search.input.fill('espresso');
    await shop.search.input.press('Enter');
    await expect(page).toHaveURL(/\/search\?q=espresso$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Results for “espresso”' })).toBeVisible();
    await expect(shop.listing.cards.first()).toContainText('Duo Espresso Machine');
    await expect(shop.listing.count).toHaveText(/^\d+ products?$/);
    await expect(shop.search.input).toHaveValue('espresso');
  });

  test('suggestions: type, ArrowDown, Enter opens the product', async ({ page, shop }) => {
    await open(page, '/', true);
    const input = shop.search.input;
    await expect(input).toHaveAttribute('role', 'combobox');
    await expect(input).toHaveAttribute('aria-expanded', 'false');
    await input.pressSequentially('espr', { delay: 30 });

    await expect(shop.search.listbox).toBeVisible();
    await expect(input).toHaveAttribute('aria-expanded', 'true');
    await expect(shop.search.options.first()).toHaveText('Duo Espresso Machine');
    const count = await shop.search.options.count();
    await expect(shop.search.status).toHaveText(count === 1 ? '1 suggestion available' : `${count} suggestions available`);

    await input.press('ArrowDown');
    const first = shop.search.options.first();
    await expect(first).toHaveAttribute('aria-selected', 'true');
    const id = await first.getAttribute('id');
    await expect(input).toHaveAttribute('aria-activedescendant', id!);
    await expect(input).toBeFocused();

    // Escape closes the list; ArrowDown opens it again.
    await input.press('Escape');
    await expect(shop.search.listbox).toBeHidden();
    await expect(input).toHaveAttribute('aria-expanded', 'false');
    await expect(input).not.toHaveAttribute('aria-activedescendant', /.+/);
    await expect(input).toHaveValue('espr');
    await input.press('ArrowDown');
    await expect(first).toHaveAttribute('aria-selected', 'true');

    await input.press('Enter');
    await expect(page).toHaveURL(/\/product\/48$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Duo Espresso Machine' })).toBeVisible();
  });

  test('leaving the field for the Search button closes the list, and Enter there searches', async ({ page, shop }) => {
    await open(page, '/', true);
    await shop.search.input.pressSequentially('espr', { delay: 30 });
    await expect(shop.search.listbox).toBeVisible();
    await shop.search.input.press('ArrowDown');
    await shop.search.input.press('Tab');
    await expect(shop.search.button).toBeFocused();
    await expect(shop.search.listbox).toBeHidden();
    await expect(shop.search.input).toHaveAttribute('aria-expanded', 'false');
    await shop.search.button.press('Enter');
    await expect(page).toHaveURL(/\/search\?q=espr$/);
  });

  test('clicking a suggestion opens the product', async ({ page, shop }) => {
    await open(page, '/cart', true);
    await shop.search.input.pressSequentially('gooseneck', { delay: 20 });
    await shop.search.listbox.getByRole('option', { name: 'Gooseneck Pour-Over Kettle' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Gooseneck Pour-Over Kettle' })).toBeVisible();
    await expect(page).toHaveURL(/\/product\/\d+$/);
  });

  test('sorting a category by price changes the list in place; Back restores it', async ({ page, shop }) => {
    await shop.listing.goto('/category/kitchen');
    await expect(page.getByRole('heading', { level: 1, name: 'Kitchen' })).toBeVisible();
    await expect(shop.listing.sort).toHaveValue('name');
    await expect(shop.listing.cards.first()).toContainText('Cast Iron Skillet 26 cm');
    const noReload = await watchForReloads(page);

    await shop.listing.sort.selectOption({ label: 'Price: low to high' });
    await expect(shop.listing.cards.first()).toContainText('Stoneware Coffee Mug');
    await expect(shop.listing.cards.last()).toContainText('Duo Espresso Machine');
    expect(page.url()).toContain('?sort=price');
    await expect(shop.listing.sort).toHaveValue('price');
    await expect(shop.listing.announcement).toHaveText('8 products');

    await shop.listing.sort.selectOption({ label: 'Price: high to low' });
    await expect(shop.listing.cards.first()).toContainText('Duo Espresso Machine');
    expect(page.url()).toContain('?sort=-price');

    await page.goBack();
    await expect(shop.listing.cards.first()).toContainText('Stoneware Coffee Mug');
    await expect(page).toHaveURL(/\/category\/kitchen\?sort=price$/);
    await expect(shop.listing.sort).toHaveValue('price');
    await page.goBack();
    await expect(shop.listing.cards.first()).toContainText('Cast Iron Skillet 26 cm');
    await expect(page).toHaveURL(/\/category\/kitchen$/);
    await expect(shop.listing.sort).toHaveValue('name');
    await noReload();
  });

  test('In stock only filters in place and can be removed', async ({ page, shop }) => {
    await shop.listing.goto('/category/fitness');
    await expect(shop.listing.count).toHaveText('8 products');
    await expect(page.getByTestId('in-stock-count')).toHaveText('(7 in stock)');
    const noReload = await watchForReloads(page);

    await shop.listing.inStock.check();
    await expect(shop.listing.count).toHaveText('7 products');
    await expect(shop.listing.announcement).toHaveText('7 products');
    await expect(shop.listing.cards).toHaveCount(7);
    await expect(shop.listing.cards.filter({ hasText: 'Cast Iron Kettlebell 12 kg' })).toHaveCount(0);
    await expect(page).toHaveURL(/\/category\/fitness\?in_stock=true$/);
    await expect(shop.listing.inStock).toBeChecked();
    // The focus stays on the box the shopper used.
    await expect(shop.listing.inStock).toBeFocused();

    await shop.listing.activeFilters.getByRole('link', { name: 'Remove filter: In stock only' }).click();
    await expect(shop.listing.count).toHaveText('8 products');
    await expect(page).toHaveURL(/\/category\/fitness$/);
    await expect(shop.listing.inStock).not.toBeChecked();
    await noReload();
  });

  test('paging a search keeps the sort, in place', async ({ page, shop }) => {
    await shop.listing.goto('/search?sort=-price');
    await expect(shop.listing.count).toHaveText('48 products');
    await expect(shop.listing.cards).toHaveCount(24);
    const noReload = await watchForReloads(page);
    await page.getByRole('link', { name: 'Page 2', exact: true }).click();
    await expect(page).toHaveURL(/\/search\?sort=-price&page=2$/);
    await expect(page.getByRole('link', { name: 'Page 2', exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(shop.listing.cards.last()).toContainText('Graphite Pencil Set');
    await noReload();
  });

  test('category links in the navbar', async ({ page }) => {
    await open(page, '/', true);
    const categories = page.getByRole('navigation', { name: 'Categories' });
    await categories.getByRole('link', { name: 'Home Office', exact: true }).click();
    await expect(page).toHaveURL(/\/category\/home-office$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Home Office' })).toBeVisible();
    await waitForHydration(page);
    await expect(categories.getByRole('link', { name: 'Home Office', exact: true })).toHaveAttribute('aria-current', 'page');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('search from the navbar', async ({ page, shop }) => {
    await page.goto('/product/1');
    await shop.search.input.fill('espresso');
    await shop.search.button.click();
    await expect(page).toHaveURL(/\/search\?q=espresso$/);
    await expect(shop.listing.cards.first()).toContainText('Duo Espresso Machine');
    await expect(page.getByRole('option', { name: 'Relevance' })).toHaveAttribute('selected', '');
  });

  test('filters and sort are a GET form with Apply', async ({ page, shop }) => {
    await page.goto('/category/fitness');
    await expect(shop.listing.count).toHaveText('8 products');
    await shop.listing.inStock.check();
    await shop.listing.sort.selectOption({ label: 'Price: high to low' });
    await shop.listing.maxPrice.fill('50');
    await shop.listing.apply.click();

    await expect(page).toHaveURL(/\/category\/fitness\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get('in_stock')).toBe('true');
    expect(url.searchParams.get('sort')).toBe('-price');
    expect(url.searchParams.get('max_price')).toBe('50');
    const names = await shop.listing.names();
    expect(names[0]).toBe('Hex Dumbbell 10 kg'); // $32.00, the dearest in stock under $50
    await expect(shop.listing.cards.filter({ hasText: 'Cast Iron Kettlebell 12 kg' })).toHaveCount(0);
    await expect(shop.listing.activeFilters).toContainText('Max price: $50.00');

    // Paging and removing a filter are links that keep the rest.
    await shop.listing.activeFilters.getByRole('link', { name: 'Remove filter: Max price: $50.00' }).click();
    const after = new URL(page.url());
    expect(after.searchParams.get('max_price')).toBeNull();
    expect(after.searchParams.get('sort')).toBe('-price');
    await expect(shop.listing.cards.first()).toContainText('Fitness Tracker Band');
  });

  test('a price band is a link with its count', async ({ page, shop }) => {
    await page.goto('/category/kitchen');
    await page.getByRole('link', { name: /^Under \$25 \(\d+\)$/ }).click();
    await expect(page).toHaveURL(/max_price=24\.99/);
    await expect(shop.listing.count).toHaveText('2 products');
  });

  test('a typo: no match, and did you mean', async ({ page }) => {
    await page.goto('/search?q=espreso');
    await expect(page.getByTestId('no-results')).toContainText('No products match “espreso”.');
    await page.getByTestId('did-you-mean').getByRole('link', { name: 'Duo Espresso Machine' }).click();
    await expect(page).toHaveURL(/\/product\/48$/);
  });

  test.describe('unknown category', () => {
    test.use({ allowedConsoleErrors: [/Failed to load resource: the server responded with a status of 404/] });

    test('is a real 404 page', async ({ page }) => {
      const response = await page.goto('/category/no-such-thing');
      expect(response?.status()).toBe(404);
      await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    });
  });
});
