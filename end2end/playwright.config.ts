import { defineConfig } from '@playwright/test';

// The release build (`make release`) on a fresh SQLite database with the demo catalogue,
// on a port of its own so it never meets a `make run` on 3000.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'off',
    launchOptions: {
      // Debian's Chromium; Playwright's own browser download cannot work here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    // An admin for the admin's tests (`shop admin create`, as an operator would), then the shop.
    command:
      'rm -rf .data && mkdir -p .data && ../target/release/shop admin create admin@example.com && ../target/release/shop serve --seed-demo',
    cwd: __dirname,
    url: `${baseURL}/api/products/1/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      DATABASE_URL: 'sqlite://.data/e2e.db?mode=rwc',
      SHOP_MAIL_DIR: '.data/mail',
      SHOP_MEDIA_DIR: '.data/media',
      SHOP_ADMIN_PASSWORD: 'admin e2e passphrase',
      LEPTOS_SITE_ROOT: '../target/site',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_ENV: 'PROD',
      RUST_LOG: 'warn',
    },
  },
});
