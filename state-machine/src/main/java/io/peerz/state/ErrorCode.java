package io.peerz.state;

/**
 * Every error a tx or query can end with: codespace, code (unique within its codespace) and what
 * the user should do. docs/errors.md lists the same table.
 */
enum ErrorCode {
  // ante: checks every tx passes before its message runs (CheckTx does only these).
  TX_TOO_LARGE("ante", 1, "the tx is larger than params.max_tx_bytes", "send a smaller tx"),
  MALFORMED_TX(
      "ante",
      2,
      "the bytes are not a Tx/TxBody in its deterministic encoding",
      "encode the tx with a peerz client"),
  MISSING_MESSAGE(
      "ante",
      3,
      "the body carries no message, or only one this node does not know (a newer client's)",
      "set one message in TxBody.msg; a newer message needs a node that knows it"),
  MEMO_TOO_LONG("ante", 4, "the memo is longer than 256 bytes", "shorten the memo"),
  WRONG_CHAIN_ID("ante", 5, "the body's chain_id is not this chain's", "sign for this chain id"),
  BAD_SIGNATURE("ante", 6, "the signature does not verify", "sign the exact body bytes"),
  NONCE_REPLAYED(
      "ante", 7, "the nonce was already used", "use the expected nonce given in the log"),
  NONCE_SKIPPED(
      "ante", 8, "the nonce is ahead of the account's", "use the expected nonce given in the log"),
  FEE_TOO_LOW("ante", 9, "the fee is below params.min_fee", "raise the fee to at least min_fee"),
  INSUFFICIENT_FEE_FUNDS(
      "ante", 10, "the balance does not cover the fee", "fund the account or lower the fee"),
  FEE_OUT_OF_RANGE("ante", 11, "the fee does not fit a signed 64-bit integer", "lower the fee"),
  NOT_READY(
      "ante",
      12,
      "the node has no state yet (genesis not executed, or state sync not finished)",
      "send the tx to a node that has caught up, or retry later"),

  // arith: any amount computation that would overflow.
  OVERFLOW("arith", 1, "an amount would overflow 64-bit integers", "use smaller amounts"),

  // bank
  INVALID_RECIPIENT("bank", 1, "the recipient is not a 20-byte address", "give a 20-byte address"),
  ZERO_AMOUNT("bank", 2, "the amount is zero", "send a positive amount"),
  INSUFFICIENT_FUNDS("bank", 3, "the balance is below the amount", "fund the account first"),

  // subnet
  INVALID_NAME(
      "subnet", 1, "the name is empty or longer than 64 bytes", "give a name of 1-64 bytes"),
  INVALID_REPO(
      "subnet", 2, "the repo is empty or longer than 256 bytes", "give a repo of 1-256 bytes"),
  NAME_TAKEN("subnet", 3, "a subnet has this name (case-insensitive)", "choose another name"),
  REPO_TAKEN("subnet", 4, "a subnet has this repo (case-insensitive)", "choose another repo"),
  INVALID_STAKE_BOUNDS(
      "subnet", 5, "min_stake is zero or above max_stake", "set 0 < min_stake <= max_stake"),
  INVALID_DELEGATE_PERCENTAGE(
      "subnet", 6, "delegate_stake_percentage_ppm is above 1000000", "give at most 1000000 ppm"),
  INVALID_CHURN_LIMIT("subnet", 7, "churn_limit is zero", "give a positive churn limit"),
  INVALID_MAX_REGISTERED_NODES(
      "subnet", 8, "max_registered_nodes is zero", "give a positive max_registered_nodes"),
  INVALID_INITIAL_COLDKEYS(
      "subnet",
      9,
      "an initial coldkey is not 20 bytes, repeats, has max_nodes 0, or the quotas sum below"
          + " params.min_subnet_nodes",
      "list distinct 20-byte coldkeys whose quotas allow min_subnet_nodes nodes"),
  INVALID_KEY_TYPES(
      "subnet",
      10,
      "key_types is empty or has an unknown type",
      "list RSA/ED25519/SECP256K1/ECDSA"),
  COST_ABOVE_MAX(
      "subnet", 11, "the registration cost is above max_cost", "raise max_cost or wait for decay"),
  INSUFFICIENT_COST_FUNDS(
      "subnet", 12, "the balance does not cover the registration cost", "fund the account"),
  SUBNET_NOT_FOUND("subnet", 13, "no subnet has this id", "check the id with /subnets"),
  NOT_OWNER("subnet", 14, "only the subnet owner may do this", "sign with the owner's key"),
  SUBNET_NOT_REGISTERING(
      "subnet", 15, "the subnet is already active", "nothing to do: it is active"),
  NOT_ENOUGH_NODES(
      "subnet",
      16,
      "fewer than params.min_subnet_nodes nodes are active",
      "activate more nodes, then retry"),
  FIELD_TOO_LONG(
      "subnet",
      17,
      "description/misc over 1024 bytes, or bootnodes over 32 entries of 256 bytes",
      "shorten the field named in the log"),
  INVALID_MAX_NODE_PENALTIES(
      "subnet", 18, "max_node_penalties is zero", "give a positive max_node_penalties"),
  TOO_MANY_SUBNETS("subnet", 19, "params.max_subnets subnets exist", "wait for governance"),

  // node
  NODE_SUBNET_NOT_FOUND("node", 1, "no subnet has this id", "check the id with /subnets"),
  INVALID_HOTKEY("node", 2, "the hotkey is not 20 bytes", "give a 20-byte hotkey address"),
  HOTKEY_TAKEN("node", 3, "the hotkey is used by another node", "generate a new hotkey"),
  INVALID_PEER_ID(
      "node",
      4,
      "a peer id is not a base58btc libp2p id (Qm... 46 chars or 12D3KooW... 52 chars)",
      "give the peer id printed by your libp2p key tool"),
  PEER_ID_TAKEN(
      "node", 5, "a peer id is used in this subnet or repeated", "use distinct, unused peer ids"),
  COLDKEY_NOT_WHITELISTED(
      "node",
      6,
      "the subnet is registering and the signer is not an initial coldkey",
      "wait for activation or ask the owner"),
  COLDKEY_QUOTA_REACHED(
      "node", 7, "the coldkey registered its max_nodes already", "wait for subnet activation"),
  SUBNET_FULL("node", 8, "the subnet has max_registered_nodes nodes", "wait for a free slot"),
  STAKE_OUT_OF_BOUNDS(
      "node", 9, "the stake is outside [min_stake, max_stake]", "stake within the subnet bounds"),
  NODE_INSUFFICIENT_FUNDS(
      "node", 10, "the balance does not cover stake plus burn", "fund the account"),
  BURN_ABOVE_MAX(
      "node",
      11,
      "params.node_registration_burn is above max_burn_amount",
      "raise max_burn_amount"),
  NODE_NOT_FOUND("node", 12, "no such node (or the signer has none here)", "check /nodes/<subnet>"),
  AMBIGUOUS_NODE("node", 13, "node_id 0 but the signer has several nodes here", "give the node id"),
  WRONG_SIGNER(
      "node", 14, "the signer is not the node's coldkey (or hotkey)", "sign with the node's key"),
  OUTSIDE_ACTIVATION_WINDOW(
      "node",
      15,
      "the current epoch is outside [start_epoch, start_epoch + activation_grace_epochs]",
      "activate inside the window named in the log"),
  WRONG_NODE_STATE("node", 16, "the node is not in the state this needs", "see the log"),
  CHURN_LIMIT_REACHED(
      "node", 17, "churn_limit nodes activated this epoch", "activate in the next epoch"),
  INVALID_DELEGATE_REWARD_RATE(
      "node", 18, "delegate_reward_rate_ppm is above 1000000", "give at most 1000000 ppm"),
  BOOTNODE_TOO_LONG("node", 19, "the bootnode multiaddr is over 256 bytes", "shorten it"),

  // stake
  STAKE_ZERO_AMOUNT("stake", 1, "the amount (or shares) is zero", "give a positive amount"),
  STAKE_INSUFFICIENT_FUNDS("stake", 2, "the balance is below the amount", "fund the account"),
  STAKE_BOUNDS("stake", 3, "the node's stake would leave [min_stake, max_stake]", "see the log"),
  NOTHING_TO_CLAIM(
      "stake", 4, "no unbonding entry has reached its release epoch", "wait for release_epoch"),
  STAKE_SUBNET_NOT_FOUND("stake", 5, "no subnet has this id", "check the id with /subnets"),
  INSUFFICIENT_SHARES(
      "stake", 6, "the signer holds fewer shares", "see /delegation/<subnet>/<addr>"),
  AMOUNT_TOO_SMALL(
      "stake", 7, "the amount buys no share / the shares are worth nothing", "use a larger amount"),

  // score
  SCORE_SUBNET_NOT_FOUND("score", 1, "no subnet has this id", "check the id with /subnets"),
  SUBNET_NOT_ACTIVE("score", 2, "the subnet is not active", "activate the subnet first"),
  NO_ROUND(
      "score",
      3,
      "no score round is open for this subnet in this epoch",
      "wait for the next epoch with Validator-class nodes"),
  NOT_PROPOSER("score", 4, "the node is not this epoch's proposer", "see /scores/<subnet>/<epoch>"),
  ALREADY_PROPOSED("score", 5, "the epoch's scores were proposed already", "attest instead"),
  INVALID_SCORES(
      "score", 6, "a score names an unknown or repeated node", "score each subnet node once"),
  NO_PROPOSAL("score", 7, "nothing proposed yet this epoch", "attest after the proposal"),
  NOT_VALIDATOR(
      "score", 8, "the node was not Validator class when the round opened", "wait for promotion"),
  ALREADY_ATTESTED("score", 9, "the node attested (or proposed) already", "nothing to do"),

  // validator: consensus validators from stake (create, bond, unbond, unjail).
  INVALID_CONSENSUS_KEY(
      "validator",
      1,
      "the consensus pub_key is not a 32-byte Ed25519 public key",
      "give the pub_key of priv_validator_key.json"),
  CONSENSUS_KEY_TAKEN(
      "validator",
      2,
      "a validator already uses this consensus key",
      "generate a new priv_validator_key.json"),
  OPERATOR_HAS_VALIDATOR(
      "validator",
      3,
      "the signer already operates a validator",
      "use bond-validator, or another account"),
  VALIDATOR_ZERO_AMOUNT("validator", 4, "the amount is zero", "give a positive amount"),
  BOND_BELOW_POWER_REDUCTION(
      "validator",
      5,
      "the bond is below params.power_reduction, so it carries no voting power",
      "bond at least power_reduction (see /params)"),
  VALIDATOR_INSUFFICIENT_FUNDS(
      "validator", 6, "the balance is below the amount", "fund the account"),
  VALIDATOR_NOT_FOUND(
      "validator",
      7,
      "the signer operates no validator",
      "create-validator first, or sign with the operator's key"),
  UNBOND_ABOVE_BOND(
      "validator",
      8,
      "the amount is above the validator's bond",
      "unbond at most the bond shown by /validator/<addr>"),
  VALIDATOR_NOT_JAILED("validator", 9, "the validator is not jailed", "nothing to do"),
  JAIL_NOT_OVER(
      "validator",
      10,
      "the validator is jailed until a later epoch",
      "retry from the epoch in the log"),
  UNJAIL_WITHOUT_POWER(
      "validator",
      11,
      "the validator's bond is below params.power_reduction",
      "bond-validator up to power_reduction, then unjail"),

  // executor
  INVALID_EXECUTOR_KEY(
      "executor", 1, "executor_pub_key is not 32 bytes", "give the executor key file's pub_key"),
  UNKNOWN_HARDWARE_CLASS(
      "executor",
      2,
      "the hardware class is not in params.hardware_classes",
      "pick a class from /params (peerz query params)"),
  EXECUTOR_TAKEN(
      "executor", 3, "this executor key is registered already", "create a new executor key"),
  EXECUTOR_NOT_FOUND(
      "executor",
      4,
      "no such executor (or the signer has none)",
      "register one with tx register-executor"),
  AMBIGUOUS_EXECUTOR(
      "executor", 5, "the signer has several executors", "name the executor's address"),
  NOT_EXECUTOR_OWNER(
      "executor", 6, "the signer is not the executor's node coldkey", "sign with the coldkey"),
  EXECUTOR_IS_ACCOUNT_KEY(
      "executor",
      7,
      "the executor key is the signer's own key",
      "give the executor its own key (peerz keys add-executor)"),
  INVALID_DATA_URL(
      "executor",
      8,
      "the data URL is not http(s)://host[:port][/path] of printable ASCII up to 200 bytes",
      "give the URL its data endpoint listens on, e.g. http://203.0.113.7:8091"),

  // pool
  INVALID_TEMPLATE("pool", 1, "the template is not gpu, proxy or custom", "use gpu|proxy|custom"),
  INVALID_MODEL(
      "pool",
      2,
      "the workload (or model) is not a known one, or a data workload was given a model",
      "use --workload gemm-int8, or --model int8-gemm-<n> / fp32-gemm-<n>"),
  POOL_UNKNOWN_HARDWARE_CLASS(
      "pool", 3, "the hardware class is not in params.hardware_classes", "see /params"),
  INVALID_LIMIT("pool", 4, "the slot limit is zero", "give a positive --limit"),
  INVALID_PRICE("pool", 5, "the price is zero", "give a positive --price"),
  DEPOSIT_INSUFFICIENT_FUNDS(
      "pool", 6, "the balance does not cover the deposit", "fund the account or lower it"),
  POOL_NOT_FOUND("pool", 7, "no pool has this id", "check the id with query pool"),
  POOL_CLOSED("pool", 8, "the pool is closed", "use an open pool"),
  INVALID_SLOTS("pool", 9, "slots is zero", "give a positive --slots"),
  POOL_FULL(
      "pool", 10, "the slots would exceed the pool's limit", "join with fewer slots (see log)"),
  HARDWARE_BELOW_REQUIREMENT(
      "pool",
      11,
      "the executor's class has less VRAM than the pool requires",
      "join a pool for your class"),
  ALREADY_MEMBER("pool", 12, "the executor is in this pool already", "leave first to change"),
  NOT_MEMBER("pool", 13, "the executor is not in this pool", "check query pool"),
  MEMBER_BUSY(
      "pool", 14, "the executor has unfinished jobs of this pool", "wait until they finish"),
  NOT_POOL_CREATOR("pool", 15, "only the pool's creator may do this", "sign with its key"),
  POOL_HAS_OPEN_JOBS(
      "pool", 16, "the pool has unfinished jobs", "wait until they are verified or refunded"),
  INVALID_PER_USER("pool", 17, "per_user is above the slot limit", "give per_user <= limit"),
  INVALID_MODEL_COMMITMENT(
      "pool",
      18,
      "an mlp-int8 pool's model commitment is missing, does not decode or is inconsistent"
          + " (tensors, shapes, zero points, root), or its URL or file size is bad; or another"
          + " workload was given one",
      "create the pool with peerz tx create-pool --workload mlp-int8 --model FILE.safetensors"
          + " --model-url URL, which checks the file and computes the commitment"),

  // job
  INVALID_SEED("job", 1, "the input seed is not 32 bytes", "give a 32-byte seed"),
  BUDGET_BELOW_PRICE(
      "job", 2, "max_budget is below the pool's price", "raise --max-budget to the price"),
  JOB_INSUFFICIENT_FUNDS(
      "job", 3, "the balance does not cover max_budget", "fund the account first"),
  PER_USER_LIMIT(
      "job", 4, "the signer has per_user unfinished jobs in the pool", "wait for one to finish"),
  JOB_NOT_FOUND("job", 5, "no job has this id", "check the id with query job"),
  NOT_JOB_EXECUTOR(
      "job", 6, "the signer is not the executor the job is assigned to", "sign with its key"),
  WRONG_JOB_STATE(
      "job",
      7,
      "the job is not in the state this message needs",
      "query the job: commit while assigned, reveal once challenged"),
  ATTESTATION_MISMATCH(
      "job",
      8,
      "the attestation does not describe this job (id, key, node, workload, seed, heights, time)",
      "attest the job as queried; the log names the field"),
  INVALID_INPUTS(
      "job",
      9,
      "the inputs are not what the pool's workload takes (names, shapes, roots, file sizes; for"
          + " mlp-int8 a batch as wide as the model's input), or a seed was given to a data"
          + " workload (or inputs to a seeded one)",
      "commit a.npy (m x k int8) and b.npy (k x n int8), or an mlp-int8 pool's x.npy (batch x"
          + " features int8), with peerz job submit"),
  JOB_TOO_LARGE(
      "job",
      10,
      "a dimension is above params.max_matrix_dim, an input above params.max_input_bytes, or the"
          + " entry reveal would not fit params.max_tx_bytes",
      "split the job into smaller products; the log names the limit"),
  INVALID_INPUT_URL(
      "job",
      11,
      "an input URL is not http(s)://... of printable ASCII up to 200 bytes",
      "host the file where the executor can GET it (peerz data serve DIR)"),
  NOT_JOB_SUBMITTER(
      "job", 12, "only the job's submitter may do this", "sign with the key that submitted it"),
  DISPUTE_ENTRY_CORRECT(
      "job",
      13,
      "the disputed entry equals the dot product of its committed row and column: the executor"
          + " computed it right (the dispute's fee is kept)",
      "check C with peerz job fetch --verify before disputing"),
  DISPUTE_UNPROVEN(
      "job",
      14,
      "a vector of the disputed entry does not prove against its committed root",
      "build the dispute with peerz job dispute from the job's own a.npy, b.npy and c.npy"),
  DISPUTE_FEE_TOO_LOW(
      "job", 15, "the dispute's tx fee is below params.dispute_fee", "pay --fee dispute_fee"),
  ROWS_OUT_OF_RANGE(
      "job", 16, "a requested row is outside the output", "ask for rows 0..rows-1 of the output"),
  INVALID_ROWS_REQUEST(
      "job",
      17,
      "the request is empty, repeats a row, asks for more than params.availability_max_rows, or"
          + " the job has an unanswered request or params.availability_max_requests already",
      "wait for the open request's answer; ask for fewer, distinct rows"),
  INPUTS_NOT_OVERDUE(
      "job",
      18,
      "the job's inputs may still arrive: the report comes too early",
      "report from the height named in the log on"),
  WRONG_WORKLOAD_MESSAGE(
      "job",
      19,
      "the message does not fit the job's workload (rows of a data job, entries of a seeded one)",
      "reveal-entries for gemm-int8 jobs, reveal-rows for int8-gemm-<n> jobs"),

  // attest
  MALFORMED_ATTESTATION(
      "attest",
      1,
      "the signed attestation does not decode, is not canonical or has a bad field",
      "sign the deterministic encoding with Attestations.sign"),
  ATTESTATION_BAD_SIGNATURE(
      "attest", 2, "the attestation's signature does not verify", "sign with the executor key"),
  MALFORMED_REVEAL("attest", 3, "the reveal bytes do not decode", "send a Reveal message"),
  REVEAL_MISMATCH(
      "attest",
      4,
      "the reveal is for another job or not exactly the challenged rows in order",
      "reveal the rows of the job's challenge, in its order"),
  MALFORMED_ENTRIES(
      "attest",
      5,
      "the entry reveal, disputed entry or posted rows bytes do not decode",
      "send an EntryReveal, RevealedEntry or PostedRows message"),
  POSTED_ROWS_INVALID(
      "attest",
      6,
      "the posted rows are not the requested ones in order, or one does not prove against the"
          + " output's root",
      "post exactly the requested rows of the committed output, with their proofs"),

  // query
  UNKNOWN_PATH("query", 1, "no such query path", "see the list of paths in the log"),
  BAD_ARGUMENT("query", 2, "an id or address in the path does not parse", "fix the path"),
  NOT_FOUND("query", 3, "the entity does not exist", "check the id"),
  HEIGHT_UNAVAILABLE(
      "query",
      4,
      "the height is not the latest committed one (only the latest state is kept)",
      "query height 0 (the latest), or a node that kept that height"),
  NOT_PROVABLE(
      "query",
      5,
      "prove=true on a path that lists many entries (no single stored value to prove)",
      "prove each entry by its own path (e.g. /subnet/<id>), or /store/<hex key>"),
  NO_STATE(
      "query",
      6,
      "the node has no state yet (genesis not executed, or state sync not finished)",
      "query a node that has caught up, or retry later");

  final String codespace;
  final int code;
  final String meaning;
  final String action;

  ErrorCode(String codespace, int code, String meaning, String action) {
    this.codespace = codespace;
    this.code = code;
    this.meaning = meaning;
    this.action = action;
  }

  /** A rejection with this code and a log naming the specifics. */
  Rejection reject(String log) {
    return new Rejection(this, log);
  }
}
