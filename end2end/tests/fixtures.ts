import { test as base, expect, type Locator, type Page } from '@playwright/test';

/**
 * Shared fixtures and page objects for the shop's end-to-end tests.
 *
 * Every test gets a fresh browser context (Playwright's default), so it starts with no
 * session cookie, an empty cart and empty localStorage.
 *
 * The `page` fixture is wrapped with a guard: any `console.error` or uncaught page error
 * (a Leptos hydration panic shows up as both) fails the test. Tests that expect a specific,
 * harmless browser message can list it in `allowedConsoleErrors`.
 */

export type ShopFixtures = {
  /**
   * Console errors matching one of these are not failures. They are matched against the
   * message followed by ` (at <url>:<line>)`, so a pattern can name the failing request.
   */
  allowedConsoleErrors: RegExp[];
  /** Page objects bound to the test's page. */
  shop: Shop;
};

export const test = base.extend<ShopFixtures>({
  allowedConsoleErrors: [[], { option: true }],

  page: async ({ page, allowedConsoleErrors }, use, testInfo) => {
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const loc = msg.location();
      const text = `${msg.text()}${loc.url ? ` (at ${loc.url}:${loc.lineNumber})` : ''}`;
      if (allowedConsoleErrors.some((re) => re.test(text))) return;
      problems.push(`console.error: ${text}`);
    });
    page.on('pageerror', (err) => {
      problems.push(`pageerror: ${err.name}: ${err.message}`);
    });

    await use(page);

    if (problems.length > 0) {
      await testInfo.attach('browser-errors.txt', {
        body: problems.join('\n'),
        contentType: 'text/plain',
      });
    }
    expect(problems, 'the browser logged errors (hydration panic or runtime error?)').toEqual([]);
  },

  shop: async ({ page, javaScriptEnabled }, use) => {
    await use(new Shop(page, javaScriptEnabled !== false));
  },
});

export { expect };

/** Opens `url`; with JavaScript on, also waits until the app has hydrated. */
export async function open(page: Page, url: string, js: boolean) {
  const response = await page.goto(url);
  if (js) await waitForHydration(page);
  return response;
}

export async function waitForHydration(page: Page) {
  await page.locator('body[data-hydrated="true"]').waitFor({ state: 'attached' });
}

/**
 * Clicks a submit button. Without JavaScript the form posts, the server redirects back, and
 * this waits for the page it came back to; with JavaScript the action runs in place.
 */
async function submit(page: Page, button: Locator, js: boolean) {
  if (js) {
    await button.click();
    return;
  }
  const loaded = page.waitForEvent('load');
  await button.click();
  await loaded;
}

export class Shop {
  readonly navbar: Navbar;
  readonly search: SearchBox;
  readonly listing: ListingPage;
  readonly home: HomePage;
  readonly product: ProductPage;
  readonly cart: CartPage;
  readonly checkout: CheckoutPage;
  readonly order: OrderPage;

  constructor(readonly page: Page, readonly js: boolean) {
    this.navbar = new Navbar(page);
    this.search = new SearchBox(page);
    this.listing = new ListingPage(page, js);
    this.home = new HomePage(page, js);
    this.product = new ProductPage(page, js);
    this.cart = new CartPage(page, js);
    this.checkout = new CheckoutPage(page, js);
    this.order = new OrderPage(page);
  }
}

export class Navbar {
  readonly cartCount: Locator;
  readonly cartLink: Locator;

  constructor(readonly page: Page) {
    this.cartCount = page.getByTestId('cart-count');
    this.cartLink = page.getByRole('link', { name: /^Cart \d+ items$/ });
  }
}

/** The navbar's search box: a GET form, with a suggestions combobox when JavaScript runs. */
export class SearchBox {
  readonly input: Locator;
  readonly button: Locator;
  readonly listbox: Locator;
  readonly options: Locator;
  readonly status: Locator;

  constructor(readonly page: Page) {
    this.input = page.getByLabel('Search', { exact: true });
    this.button = page.getByRole('button', { name: 'Search', exact: true });
    this.listbox = page.getByRole('listbox', { name: 'Suggestions' });
    this.options = this.listbox.getByRole('option');
    this.status = page.getByTestId('search-status');
  }
}

/** A search or category page: the filter form, the result count and the product grid. */
export class ListingPage {
  readonly cards: Locator;
  readonly count: Locator;
  readonly sort: Locator;
  readonly minPrice: Locator;
  readonly maxPrice: Locator;
  readonly inStock: Locator;
  readonly apply: Locator;
  readonly activeFilters: Locator;
  readonly announcement: Locator;

  constructor(readonly page: Page, readonly js: boolean) {
    this.cards = page.getByTestId('product-card');
    this.count = page.getByTestId('result-count');
    this.sort = page.getByLabel('Sort', { exact: true });
    this.minPrice = page.getByLabel('Min price', { exact: true });
    this.maxPrice = page.getByLabel('Max price', { exact: true });
    this.inStock = page.getByLabel('In stock only', { exact: true });
    this.apply = page.getByRole('button', { name: 'Apply', exact: true });
    this.activeFilters = page.getByTestId('active-filters');
    this.announcement = page.getByTestId('listing-status');
  }

  async goto(url: string) {
    return open(this.page, url, this.js);
  }

  /** The cards' product names, in order. */
  async names() {
    return this.cards.getByRole('heading').allTextContents();
  }
}

export class HomePage {
  readonly cards: Locator;

  constructor(readonly page: Page, readonly js: boolean) {
    this.cards = page.getByTestId('product-card');
  }

  async goto(pageNumber?: number) {
    return open(this.page, pageNumber ? `/?page=${pageNumber}` : '/', this.js);
  }

  pageLink(n: number) {
    return this.page.getByRole('link', { name: `Page ${n}`, exact: true });
  }

  card(name: string) {
    return this.cards.filter({ has: this.page.getByRole('heading', { name, exact: true }) });
  }

  /** Opens a product from its card. */
  async openProduct(name: string) {
    await this.card(name).getByRole('link').click();
    await expect(this.page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
    if (this.js) await waitForHydration(this.page);
  }
}

export class ProductPage {
  readonly quantity: Locator;
  readonly addButton: Locator;
  readonly soldOutButton: Locator;
  readonly status: Locator;
  readonly price: Locator;
  readonly recentlyViewed: Locator;

  constructor(readonly page: Page, readonly js: boolean) {
    this.quantity = page.getByLabel('Quantity', { exact: true });
    this.addButton = page.getByRole('button', { name: 'Add to Cart' });
    this.soldOutButton = page.getByRole('button', { name: 'Sold out' });
    this.status = page.getByTestId('status');
    this.price = page.getByTestId('product-price');
    this.recentlyViewed = page.getByTestId('recently-viewed');
  }

  async goto(id: number) {
    return open(this.page, `/product/${id}`, this.js);
  }

  heading(name: string) {
    return this.page.getByRole('heading', { level: 1, name, exact: true });
  }

  /** Sets the quantity and presses "Add to Cart" (waiting for the redirect without JS). */
  async add(qty: number) {
    await this.quantity.fill(String(qty));
    await submit(this.page, this.addButton, this.js);
  }
}

export class CartPage {
  readonly rows: Locator;
  readonly total: Locator;
  readonly empty: Locator;
  readonly status: Locator;

  constructor(readonly page: Page, readonly js: boolean) {
    this.rows = page.getByTestId('cart-item');
    this.total = page.getByTestId('cart-total');
    this.empty = page.getByTestId('empty-cart');
    this.status = page.getByTestId('status');
  }

  async goto() {
    const response = await open(this.page, '/cart', this.js);
    await expect(this.page.getByRole('heading', { level: 1, name: 'Your cart' })).toBeVisible();
    return response;
  }

  row(name: string) {
    return this.rows.filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  quantityOf(name: string) {
    return this.row(name).getByLabel(`Quantity of ${name}`, { exact: true });
  }

  lineTotal(name: string) {
    return this.row(name).getByTestId('line-total');
  }

  async setQuantity(name: string, qty: number) {
    await this.quantityOf(name).fill(String(qty));
    await submit(this.page, this.row(name).getByRole('button', { name: 'Update' }), this.js);
  }

  async remove(name: string) {
    await submit(this.page, this.row(name).getByRole('button', { name: 'Remove' }), this.js);
  }
}

export type Address = {
  email: string;
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country?: string;
};

export const ADA: Address = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  line1: '12 Harbor Road',
  line2: 'Flat 3',
  city: 'Portland',
  postalCode: '97201',
};

/**
 * The checkout form. It posts like a plain HTML form with JavaScript on or off (the server
 * places the order or renders the form again), so placing an order always loads a page.
 */
export class CheckoutPage {
  readonly email: Locator;
  readonly name: Locator;
  readonly line1: Locator;
  readonly line2: Locator;
  readonly city: Locator;
  readonly postalCode: Locator;
  readonly country: Locator;
  readonly standard: Locator;
  readonly express: Locator;
  readonly card: Locator;
  readonly cash: Locator;
  readonly cardNumber: Locator;
  readonly placeOrderButton: Locator;
  readonly error: Locator;
  readonly subtotal: Locator;
  readonly shipping: Locator;
  readonly total: Locator;

  constructor(readonly page: Page, readonly js: boolean) {
    const label = (text: string) => page.getByLabel(text, { exact: true });
    this.email = label('Email');
    this.name = label('Full name');
    this.line1 = label('Address line 1');
    this.line2 = label('Address line 2');
    this.city = label('City');
    this.postalCode = label('Postal code');
    this.country = label('Country');
    this.standard = page.getByRole('radio', { name: /^Standard/ });
    this.express = page.getByRole('radio', { name: /^Express/ });
    this.card = page.getByRole('radio', { name: 'Card', exact: true });
    this.cash = page.getByRole('radio', { name: 'Cash on delivery', exact: true });
    this.cardNumber = label('Card number');
    this.placeOrderButton = page.getByRole('button', { name: 'Place order' });
    this.error = page.getByTestId('checkout-error');
    this.subtotal = page.getByTestId('summary-subtotal');
    this.shipping = page.getByTestId('summary-shipping');
    this.total = page.getByTestId('summary-total');
  }

  async goto() {
    return open(this.page, '/checkout', this.js);
  }

  async fillAddress(a: Address) {
    await this.email.fill(a.email);
    await this.name.fill(a.name);
    await this.line1.fill(a.line1);
    await this.line2.fill(a.line2 ?? '');
    await this.city.fill(a.city);
    await this.postalCode.fill(a.postalCode);
    if (a.country) await this.country.selectOption(a.country);
  }

  async payByCard(number: string) {
    await this.card.check();
    await this.cardNumber.fill(number);
  }

  /** Presses "Place order" and waits for the page the server answers with. */
  async placeOrder() {
    const loaded = this.page.waitForEvent('load');
    await this.placeOrderButton.click();
    await loaded;
    if (this.js) await waitForHydration(this.page);
  }
}

export class OrderPage {
  readonly heading: Locator;
  readonly number: Locator;
  readonly status: Locator;
  readonly total: Locator;
  readonly lines: Locator;
  readonly address: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Thank you for your order' });
    this.number = page.getByTestId('order-number');
    this.status = page.getByTestId('order-status');
    this.total = page.getByTestId('order-total');
    this.lines = page.getByTestId('order-line');
    this.address = page.getByTestId('order-address');
  }
}
