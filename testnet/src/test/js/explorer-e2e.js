// Opens a peerz node's explorer in Debian's Chromium (driven by playwright-core), sends a tx to the
// node, and checks that the tx appears on the open page without a reload (ExplorerIT runs it).
// Env: PEERZ_RPC (http://127.0.0.1:PORT), PEERZ_CHROMIUM (/usr/bin/chromium), PEERZ_TX (base64 of
// a signed tx), PEERZ_TX_HASH (its upper-case hex hash), PEERZ_PROFILE (an empty directory).
'use strict';
const { chromium } = require('playwright-core');

const rpc = process.env.PEERZ_RPC;
const hash = process.env.PEERZ_TX_HASH;
const LIMIT = 30_000;

function check(ok, what) {
  if (!ok) {
    throw new Error('check failed: ' + what);
  }
  console.log('ok: ' + what);
}

async function main() {
  const context = await chromium.launchPersistentContext(process.env.PEERZ_PROFILE, {
    executablePath: process.env.PEERZ_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const errors = [];
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on('pageerror', (e) => errors.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') {
        errors.push('console error: ' + m.text());
      }
    });
    // Chromium's console names no URL for a failed load: the responses do.
    page.on('response', (r) => {
      if (r.status() >= 400) {
        errors.push('HTTP ' + r.status() + ' for ' + r.url());
      }
    });
    const other = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(rpc) && !r.url().startsWith(rpc.replace(/^http/, 'ws'))) {
        other.push(r.url());
      }
    });

    await page.goto(rpc + '/explorer', { waitUntil: 'load', timeout: LIMIT });
    check(page.url() === rpc + '/explorer/', '/explorer redirects to /explorer/ (' + page.url() + ')');
    await page.waitForSelector('#live[data-live="true"]', { timeout: LIMIT });
    check(true, 'the page follows the node over its websocket');
    await page.waitForSelector('#blocks tbody tr[data-height]', { timeout: LIMIT });
    const validators = await page.locator('#validators tbody tr[data-address]').count();
    check(validators === 1, 'one validator listed (' + validators + ')');
    await page.waitForSelector('#stats b', { timeout: LIMIT });
    check(true, 'the market stats are shown');
    const before = Number(await page.locator('#blocks tbody tr').first().getAttribute('data-height'));
    await page.waitForFunction(
      (h) => Number(document.querySelector('#blocks tbody tr').dataset.height) > h,
      before,
      { timeout: LIMIT },
    );
    check(true, 'a new block appeared without a reload (after height ' + before + ')');

    // Marks this page load: a reload would lose it.
    await page.evaluate(() => {
      window.peerzLoad = 'first';
    });
    const sent = await fetch(rpc, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'broadcast_tx_sync',
        params: { tx: process.env.PEERZ_TX },
      }),
    }).then((r) => r.json());
    check(sent.result && Number(sent.result.code) === 0, 'the node took the tx: ' + JSON.stringify(sent));
    check(sent.result.hash === hash, 'the node hashed it as expected');

    const row = page.locator(`#txs tbody tr[data-hash="${hash}"]`);
    await row.waitFor({ timeout: LIMIT });
    const text = await row.innerText();
    check(/send/.test(text) && /ok/.test(text), 'the tx row shows its message and result: ' + text);
    check((await page.evaluate(() => window.peerzLoad)) === 'first', 'the page was not reloaded');
    check(other.length === 0, 'nothing was fetched from another origin: ' + other.join(' '));
    check(errors.length === 0, 'no page errors: ' + errors.join('; '));
    console.log('explorer end-to-end: all checks passed');
  } finally {
    await context.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
