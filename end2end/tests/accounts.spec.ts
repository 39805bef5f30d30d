import { test, expect, open, waitForHydration, ADA, Shop } from './fixtures';
import type { Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Accounts, with JavaScript on and off: sign up, sign in with a guest cart and see it merged
// with the account's, order and find the order under the account, sign out, and reset the
// password through the link the shop emails (read from SHOP_MAIL_DIR, end2end/.data/mail).
//
// Products used (none shared with the other specs): with JS 41 Graphite Pencil Set and
// 47 Ab Wheel Roller; without JS 44 Compact Camp Stove and 25 Washi Tape Set.

const products = { js: { before: 41, guest: 47 }, noJs: { before: 44, guest: 25 } };
const PASSWORD = 'a long harbour passphrase';
const NEW_PASSWORD = 'another pine passphrase';
const MAIL_DIR = join(__dirname, '..', '.data', 'mail');

/** Clicks a button that posts a plain form and waits for the page the server answers with. */
async function post(page: Page, name: string, js: boolean) {
  const loaded = page.waitForEvent('load');
  await page.getByRole('button', { name, exact: true }).click();
  await loaded;
  if (js) await waitForHydration(page);
}

async function signIn(page: Page, email: string, password: string, js: boolean) {
  await open(page, '/account/login', js);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await post(page, 'Sign in', js);
}

/** A quoted-printable body as a mail reader shows it (soft line breaks joined, =XX decoded). */
function quotedPrintable(text: string) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The reset link of the newest reset email to `email`, once the outbox has sent it. */
async function resetLink(email: string): Promise<string> {
  let link = '';
  await expect
    .poll(() => {
      const files = (() => {
        try {
          return readdirSync(MAIL_DIR).filter((f) => f.startsWith('password_reset-') && f.endsWith('.eml'));
        } catch {
          return [];
        }
      })();
      const mine = files
        .map((f) => quotedPrintable(readFileSync(join(MAIL_DIR, f), 'utf8')))
        .filter((text) => text.includes(`To: ${email}`));
      const match = mine.at(-1)?.match(/https?:\/\/\S+\/account\/password\/reset\?token=[0-9a-f]{32}/);
      link = match?.[0] ?? '';
      return link;
    }, { timeout: 15_000 })
    .not.toBe('');
  return new URL(link).pathname + new URL(link).search;
}

for (const js of [true, false]) {
  const ids = js ? products.js : products.noJs;
  const email = `e2e-${js ? 'js' : 'nojs'}-${Date.now()}@example.com`;

  test.describe(js ? 'accounts with JavaScript' : 'accounts without JavaScript', () => {
    // A refused sign-in answers the form post with 400, which Chromium logs as a failed load.
    test.use({
      javaScriptEnabled: js,
      allowedConsoleErrors: [/^Failed to load resource: the server responded with a status of 400 .*\/account\/login\b/],
    });
    test.describe.configure({ mode: 'serial' });

    test('sign up, then sign in with a guest cart and see it merged', async ({ page, shop, browser }) => {
      await open(page, '/account/register', js);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await post(page, 'Create account', js);
      await expect(page).toHaveURL(/\/account\/login\?done=registered$/);
      await expect(page.getByTestId('notice')).toContainText('your account is ready');

      // The account's cart, filled in another browser.
      const other = await browser.newContext({ javaScriptEnabled: js });
      const laptop = await other.newPage();
      await signIn(laptop, email, PASSWORD, js);
      await expect(laptop).toHaveURL(/\/account$/);
      const laptopShop = new Shop(laptop, js);
      await laptopShop.product.goto(ids.before);
      await laptopShop.product.add(1);
      await expect(laptopShop.navbar.cartCount).toHaveText('1');
      await other.close();

      // A guest here fills a cart, then signs in: the carts add up.
      await shop.product.goto(ids.guest);
      await shop.product.add(2);
      await expect(shop.navbar.cartCount).toHaveText('2');
      await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
      await signIn(page, email, PASSWORD, js);
      await expect(page).toHaveURL(/\/account$/);
      await expect(page.getByTestId('account-email')).toHaveText(email);
      await expect(shop.navbar.cartCount).toHaveText('3');
      await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
      await shop.cart.goto();
      await expect(shop.cart.rows).toHaveCount(2);
    });

    test('a signed-in order is listed under the account; then sign out', async ({ page, shop }) => {
      await signIn(page, email, PASSWORD, js);
      await shop.checkout.goto();
      await expect(shop.checkout.email).toHaveValue(email);
      await shop.checkout.fillAddress({ ...ADA, email });
      await page.getByLabel('Save this address', { exact: true }).check();
      await shop.checkout.cash.check();
      await shop.checkout.placeOrder();
      await expect(shop.order.heading).toBeVisible();
      const number = (await shop.order.number.textContent())!.trim();
      expect(number).toMatch(/^HP-\d+$/);

      await open(page, '/account', js);
      const row = page.getByTestId('account-order').filter({ hasText: number });
      await expect(row).toHaveCount(1);
      await expect(page.getByTestId('saved-address')).toContainText(ADA.line1);
      await row.getByRole('link', { name: number }).click();
      await expect(shop.order.number).toHaveText(number);

      await post(page, 'Sign out', js);
      await expect(page.getByTestId('notice')).toHaveText('You are signed out.');
      await expect(page.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
      await expect(shop.navbar.cartCount).toHaveText('0');
      await open(page, '/account', js);
      await expect(page).toHaveURL(/\/account\/login\?next=\/account$/);
    });

    test('a forgotten password is reset through the emailed link', async ({ page }) => {
      await open(page, '/account/login', js);
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      if (js) await waitForHydration(page);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await post(page, 'Send reset link', js);
      await expect(page.getByTestId('notice')).toContainText('If an account uses this email');

      const link = await resetLink(email);
      await open(page, link, js);
      await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
      await post(page, 'Set new password', js);
      await expect(page).toHaveURL(/\/account\/login\?done=password-reset$/);

      await signIn(page, email, PASSWORD, js);
      await expect(page.getByTestId('form-error')).toHaveText('That email and password do not match an account.');
      await signIn(page, email, NEW_PASSWORD, js);
      await expect(page.getByTestId('account-email')).toHaveText(email);
      // The link worked once.
      await open(page, link, js);
      await expect(page.getByTestId('form-error')).toContainText('expired or was already used');
    });
  });
}
