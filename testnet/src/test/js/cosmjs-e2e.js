// Drives a running peerz node through @cosmjs/tendermint-rpc's connectComet, the way a wallet
// does, and checks what the client decodes. CosmjsIT starts the node, pre-signs two txs and runs
// this script; CometBftIT runs it unchanged against CometBFT v0.38.17's own RPC in front of peerz.
// Any mismatch exits with status 1 and a message saying what differed.
//
// Environment:
//   PEERZ_RPC        http://127.0.0.1:<port> of the node's RPC (the websocket is ws://.../websocket)
//   PEERZ_CHAIN_ID   the chain id the node was initialised with
//   PEERZ_ACCOUNT    0x address of a funded account (abci_query /account/<address>)
//   PEERZ_TX_SYNC    base64 of a signed tx, sent with broadcastTxSync
//   PEERZ_TX_COMMIT  base64 of a second signed tx (the next nonce), sent with broadcastTxCommit
"use strict";

const crypto = require("node:crypto");
const { connectComet, Comet38Client } = require("@cosmjs/tendermint-rpc");
const { toHex } = require("@cosmjs/encoding");

const LIMIT_MS = 90_000;

function env(name) {
  const value = process.env[name];
  if (!value) {
    fail(`environment variable ${name} is not set`);
  }
  return value;
}

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

function check(condition, message) {
  if (!condition) {
    fail(message);
  }
  console.log(`ok: ${message}`);
}

function same(actual, expected, what) {
  const a = typeof actual === "bigint" ? actual.toString() : actual;
  const e = typeof expected === "bigint" ? expected.toString() : expected;
  if (a !== e) {
    fail(`${what}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
  }
  console.log(`ok: ${what} = ${JSON.stringify(a)}`);
}

function hex(bytes) {
  return toHex(bytes).toUpperCase();
}

/** The first event of an xstream stream that satisfies test, or a failure after limitMs. */
function firstEvent(stream, what, test, limitMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.removeListener(listener);
      reject(new Error(`no ${what} within ${limitMs} ms`));
    }, limitMs);
    const listener = {
      next: (event) => {
        if (test(event)) {
          clearTimeout(timer);
          // Removing the listener inside next is safe in xstream; it stops the subscription.
          setImmediate(() => stream.removeListener(listener));
          resolve(event);
        }
      },
      error: (error) => {
        clearTimeout(timer);
        reject(new Error(`${what} stream failed: ${JSON.stringify(error)}`));
      },
      complete: () => {
        clearTimeout(timer);
        reject(new Error(`${what} stream ended`));
      },
    };
    stream.addListener(listener);
  });
}

/**
 * tx by hash, asked again until found: CometBFT indexes a tx after it publishes the Tx event and
 * answers broadcastTxCommit, so right after either `tx` may still say "not found" (peerz's own RPC
 * waits for the index instead). A wallet polls the same way.
 */
async function txByHash(client, hash, limitMs) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    try {
      return await client.tx({ hash: Buffer.from(hash, "hex") });
    } catch (error) {
      if (Date.now() > deadline || !String(error).includes("not found")) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function main() {
  const rpc = env("PEERZ_RPC");
  const chainId = env("PEERZ_CHAIN_ID");
  const account = env("PEERZ_ACCOUNT");
  const txSync = Buffer.from(env("PEERZ_TX_SYNC"), "base64");
  const txCommit = Buffer.from(env("PEERZ_TX_COMMIT"), "base64");
  const txSyncHash = crypto.createHash("sha256").update(txSync).digest("hex").toUpperCase();
  const txCommitHash = crypto.createHash("sha256").update(txCommit).digest("hex").toUpperCase();

  // ---- over HTTP
  const client = await connectComet(rpc);
  check(client instanceof Comet38Client, "connectComet picked the CometBFT 0.38 client over HTTP");

  const status = await client.status();
  check(status.nodeInfo.version.startsWith("0.38."), `status version ${status.nodeInfo.version} is 0.38.x`);
  same(status.nodeInfo.network, chainId, "status network");
  check(status.syncInfo.latestBlockHeight >= 1, "status has a latest block");
  check(status.syncInfo.latestBlockHash.length === 32, "status latest block hash is 32 bytes");
  check(status.validatorInfo.pubkey.algorithm === "ed25519", "status validator key is ed25519");

  same(await client.health(), null, "health");

  const info = await client.abciInfo();
  check(info.lastBlockHeight >= 1, `abciInfo last block height ${info.lastBlockHeight}`);
  check(info.lastBlockAppHash && info.lastBlockAppHash.length === 32, "abciInfo app hash is 32 bytes");

  const query = await client.abciQuery({ path: `/account/${account}`, data: new Uint8Array() });
  same(query.code, 0, "abciQuery /account code");
  const accountJson = JSON.parse(Buffer.from(query.value).toString("utf8"));
  check(typeof accountJson === "object" && accountJson !== null, "abciQuery value is the account's JSON");
  check(query.height >= 1, `abciQuery height ${query.height}`);

  // The account's state key, proven against the app hash: /store/<hex key> with prove=true.
  check(query.key.length > 0, "abciQuery /account answers its state key");
  const proven = await client.abciQuery({
    path: `/store/${toHex(query.key)}`,
    data: new Uint8Array(),
    prove: true,
  });
  same(proven.code, 0, "abciQuery /store prove=true code");
  check(proven.value.length > 0, "abciQuery /store prove=true has the stored value");
  check(proven.proof && proven.proof.ops.length === 1, "abciQuery prove=true has one proof op");
  same(proven.proof.ops[0].type, "peerz:smt", "abciQuery proof op type");
  same(hex(proven.proof.ops[0].key), hex(query.key), "abciQuery proof op key");

  // The account's own path proves too: its stored value (protobuf, not JSON) and the same op.
  const provenAccount = await client.abciQuery({
    path: `/account/${account}`,
    data: new Uint8Array(),
    prove: true,
  });
  same(provenAccount.code, 0, "abciQuery /account prove=true code");
  same(hex(provenAccount.key), hex(query.key), "abciQuery /account prove=true key");
  same(hex(provenAccount.value), hex(proven.value), "abciQuery /account prove=true stored value");
  check(
    provenAccount.proof && provenAccount.proof.ops.length === 1,
    "abciQuery /account prove=true has one proof op",
  );
  same(provenAccount.proof.ops[0].type, "peerz:smt", "abciQuery /account proof op type");

  const genesis = await client.genesis();
  same(genesis.chainId, chainId, "genesis chain id");
  check(genesis.validators.length >= 1, "genesis lists a validator");
  check(genesis.consensusParams.block.maxBytes > 0, "genesis block max bytes");

  const validators = await client.validators({});
  check(validators.total >= 1 && validators.validators.length === validators.total, "validators lists the set");
  const own = validators.validators.find((v) => hex(v.address) === hex(status.validatorInfo.address));
  check(own !== undefined, `validators lists the node's own validator ${hex(status.validatorInfo.address)}`);
  same(own.votingPower, status.validatorInfo.votingPower, "validator power");
  const keys = (list) => list.map((v) => hex(v.pubkey.data)).sort().join(",");
  same(keys(validators.validators), keys(genesis.validators), "validator keys are the genesis validators'");

  const height = status.syncInfo.latestBlockHeight;
  const block = await client.block(height);
  same(block.block.header.height, height, "block height");
  same(block.block.header.chainId, chainId, "block chain id");
  same(hex(block.blockId.hash), hex(status.syncInfo.latestBlockHash), "block hash is status's latest");

  const results = await client.blockResults(height);
  same(results.height, height, "blockResults height");
  same(results.results.length, block.block.txs.length, "blockResults has one result per tx");

  const chain = await client.blockchain(1, height);
  check(chain.lastHeight >= height, "blockchain last height");
  same(chain.blockMetas[0].header.height, height, "blockchain newest meta height");
  same(hex(chain.blockMetas[0].blockId.hash), hex(block.blockId.hash), "blockchain meta block hash");

  const commit = await client.commit(height);
  same(commit.header.height, height, "commit header height");
  same(hex(commit.commit.blockId.hash), hex(block.blockId.hash), "commit names the block");
  check(commit.commit.signatures.length >= 1, "commit has signatures");

  const unconfirmed = await client.numUnconfirmedTxs();
  check(unconfirmed.total >= 0 && unconfirmed.totalBytes >= 0, `numUnconfirmedTxs total ${unconfirmed.total}`);

  // ---- over the websocket: subscriptions, then the txs they see
  const wsUrl = rpc.replace(/^http/, "ws");
  const ws = await connectComet(wsUrl);
  check(ws instanceof Comet38Client, "connectComet picked the CometBFT 0.38 client over the websocket");
  same((await ws.status()).nodeInfo.network, chainId, "status over the websocket");

  const newHeader = firstEvent(ws.subscribeNewBlockHeader(), "NewBlockHeader event", () => true, 30_000);
  const newBlock = firstEvent(ws.subscribeNewBlock(), "NewBlock event", () => true, 30_000);
  const txEvent = firstEvent(
    ws.subscribeTx(`tx.hash='${txSyncHash}'`),
    "Tx event",
    (event) => hex(event.hash) === txSyncHash,
    60_000,
  );
  const seen = await newBlock;
  check(seen.header.height > height, `NewBlock event for height ${seen.header.height}`);
  same(seen.header.chainId, chainId, "NewBlock chain id");
  const seenBlock = await client.block(seen.header.height);
  same(hex(seenBlock.block.header.appHash), hex(seen.header.appHash), "NewBlock header is the stored block's");

  const header = await newHeader;
  check(header.height > height, `NewBlockHeader event for height ${header.height}`);
  same(header.chainId, chainId, "NewBlockHeader chain id");

  const sync = await client.broadcastTxSync({ tx: txSync });
  same(sync.code, 0, `broadcastTxSync code (log: ${sync.log})`);
  same(hex(sync.hash), txSyncHash, "broadcastTxSync hash");

  const event = await txEvent;
  same(hex(event.hash), txSyncHash, "Tx event hash");
  same(event.result.code, 0, "Tx event result code");
  same(hex(event.tx), hex(txSync), "Tx event carries the tx");
  check(event.height > height, `Tx event height ${event.height}`);

  const found = await txByHash(client, txSyncHash, 10_000);
  same(found.height, event.height, "tx height is the event's");
  same(found.result.code, 0, "tx result code");
  same(hex(found.hash), txSyncHash, "tx hash");
  same(hex(found.tx), hex(txSync), "tx bytes");

  const txBlock = await client.block(event.height);
  check(
    txBlock.block.txs.some((t) => hex(t) === hex(txSync)),
    `block ${event.height} holds the tx`,
  );
  const txResults = await client.blockResults(event.height);
  same(txResults.results.length, txBlock.block.txs.length, `blockResults ${event.height} has one result per tx`);
  const index = txBlock.block.txs.findIndex((t) => hex(t) === hex(txSync));
  same(txResults.results[index].code, 0, "blockResults code of the tx");
  check(txResults.results[index].events.length >= 1, "blockResults lists the tx's events");
  check(
    txResults.results[index].gasUsed === event.result.gasUsed,
    `blockResults gas used ${txResults.results[index].gasUsed} is the Tx event's`,
  );

  const byHash = await client.txSearch({ query: `tx.hash='${txSyncHash}'` });
  same(byHash.totalCount, 1, "txSearch by hash count");
  same(hex(byHash.txs[0].hash), txSyncHash, "txSearch by hash finds the tx");
  const byHeight = await client.txSearch({ query: `tx.height=${event.height}` });
  check(
    byHeight.txs.some((t) => hex(t.hash) === txSyncHash),
    `txSearch tx.height=${event.height} finds the tx`,
  );

  const committed = await client.broadcastTxCommit({ tx: txCommit });
  same(committed.checkTx.code, 0, `broadcastTxCommit check code (log: ${committed.checkTx.log})`);
  same(committed.txResult.code, 0, `broadcastTxCommit result code (log: ${committed.txResult.log})`);
  same(hex(committed.hash), txCommitHash, "broadcastTxCommit hash");
  check(committed.height > 0, `broadcastTxCommit height ${committed.height}`);
  const second = await txByHash(ws, txCommitHash, 10_000);
  same(second.height, committed.height, "tx over the websocket at the committed height");

  ws.disconnect();
  client.disconnect();
  console.log("cosmjs end-to-end: all checks passed");
}

setTimeout(() => fail(`did not finish within ${LIMIT_MS} ms`), LIMIT_MS).unref();
main().then(
  () => process.exit(0),
  (error) => fail(error && error.stack ? error.stack : String(error)),
);
