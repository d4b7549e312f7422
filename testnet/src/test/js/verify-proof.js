// Verifies a peerz:smt proof the way docs/cometbft.md ("Proofs") describes it, as a wallet would:
// node's own SHA-256 and fetch, no peerz code and no dependency.
//
//   node verify-proof.js <rpc url> <query path>
//   node verify-proof.js http://127.0.0.1:26657 /account/0x5b1ca2ee5ee8d0e0e1b1a7b9a2a5e0aaf1f4a8c3
//
// Asks abci_query with prove=true, waits for block H + 1 (its header carries the app hash of the
// state at H), checks the proof against that app_hash, prints one line and exits 0 when it
// verifies, 1 when it does not. Works against CometBFT's RPC and a peerz node's alike.
"use strict";
const crypto = require("node:crypto");

async function result(url) {
  const response = await fetch(url);
  const body = await response.json();
  if (body.error) throw new Error(`${url}: ${JSON.stringify(body.error)}`);
  return body.result;
}

function uvarint(bytes, at) {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    const b = bytes[at.i++];
    value |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return Number(value);
  }
}

// peerz.ledger.v1.MerkleProof: key = 1, value = 2 (optional), siblings = 3 (repeated),
// other_key_hash = 4, other_value_hash = 5; every field is length-delimited.
function merkleProof(data) {
  const proof = { key: Buffer.alloc(0), value: null, siblings: [], otherKeyHash: null, otherValueHash: null };
  const at = { i: 0 };
  while (at.i < data.length) {
    const tag = uvarint(data, at);
    if ((tag & 7) !== 2) throw new Error(`unexpected wire type ${tag & 7}`);
    const length = uvarint(data, at);
    const field = data.subarray(at.i, at.i + length);
    at.i += length;
    switch (tag >>> 3) {
      case 1: proof.key = field; break;
      case 2: proof.value = field; break;
      case 3: proof.siblings.push(field); break;
      case 4: proof.otherKeyHash = field.length ? field : null; break;
      case 5: proof.otherValueHash = field.length ? field : null; break;
      default: throw new Error(`unknown field ${tag >>> 3}`);
    }
  }
  return proof;
}

const sha256 = (...parts) => crypto.createHash("sha256").update(Buffer.concat(parts)).digest();
const leaf = (keyHash, valueHash) => sha256(Buffer.from([0]), keyHash, valueHash);
const inner = (left, right) => sha256(Buffer.from([1]), left, right);
const bit = (hash, i) => (hash[i >> 3] >> (7 - (i & 7))) & 1;

// Steps 1-4 of docs/cometbft.md: true when the op proves `value` (null: absence) under `key`.
function verify(key, value, op, appHash) {
  const p = merkleProof(Buffer.from(op.data, "base64"));
  if (op.type !== "peerz:smt" || !Buffer.from(op.key, "base64").equals(key) || !p.key.equals(key)) return false;
  if ((p.value === null) !== (value === null) || (value !== null && !p.value.equals(value))) return false;
  if (p.siblings.length > 256 || p.siblings.some((s) => s.length !== 32)) return false;
  const keyHash = sha256(key);
  const depth = p.siblings.length;
  let node;
  if (value !== null) {
    if (p.otherKeyHash || p.otherValueHash) return false;
    node = leaf(keyHash, sha256(value));
  } else if (p.otherKeyHash || p.otherValueHash) {
    if (!p.otherKeyHash || !p.otherValueHash || p.otherKeyHash.length !== 32 || p.otherValueHash.length !== 32) return false;
    if (p.otherKeyHash.equals(keyHash)) return false;
    for (let i = 0; i < depth; i++) if (bit(p.otherKeyHash, i) !== bit(keyHash, i)) return false;
    node = leaf(p.otherKeyHash, p.otherValueHash);
  } else {
    node = Buffer.alloc(32);
  }
  for (let i = depth - 1; i >= 0; i--) {
    node = bit(keyHash, i) === 0 ? inner(node, p.siblings[i]) : inner(p.siblings[i], node);
  }
  return node.equals(appHash);
}

async function main() {
  const [rpc, path] = process.argv.slice(2);
  if (!rpc || !path) throw new Error("usage: node verify-proof.js <rpc url> <query path>");
  const q = (await result(`${rpc}/abci_query?path=${encodeURIComponent(JSON.stringify(path))}&prove=true`)).response;
  if (q.code !== 0) throw new Error(`abci_query ${path}: code ${q.code} (${q.codespace}): ${q.log}`);
  const ops = q.proofOps && q.proofOps.ops;
  if (!ops || ops.length !== 1) throw new Error(`abci_query ${path}: expected one proof op, got ${JSON.stringify(q.proofOps)}`);
  const key = Buffer.from(q.key, "base64");
  const value = q.value ? Buffer.from(q.value, "base64") : null;
  const height = Number(q.height);
  const deadline = Date.now() + 60_000;
  while (Number((await result(`${rpc}/status`)).sync_info.latest_block_height) <= height) {
    if (Date.now() > deadline) throw new Error(`block ${height + 1} did not come within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const header = (await result(`${rpc}/block?height=${height + 1}`)).block.header;
  const ok = verify(key, value, ops[0], Buffer.from(header.app_hash, "hex"));
  console.log(
    `${path} at height ${height}: ${value === null ? "absent" : `value ${q.value}`} ` +
      `${ok ? "verified" : "NOT VERIFIED"} against block ${height + 1}'s app_hash ${header.app_hash}`,
  );
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(e.message);
  process.exit(2);
});
