package io.peerz.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The state machine's store keys: an ASCII module prefix, then big-endian ids and raw bytes. */
final class Keys {
  private Keys() {}

  static final byte[] PARAMS = ascii("params");
  static final byte[] CHAIN = ascii("chain");
  static final byte[] SUPPLY = ascii("supply");
  static final byte[] FEE_COLLECTOR = ascii("module/fee_collector");
  static final byte[] ACCOUNT = ascii("acct/");
  static final byte[] SUBNET = ascii("subnet/");
  static final byte[] SUBNET_NAME = ascii("subname/");
  static final byte[] SUBNET_REPO = ascii("subrepo/");
  static final byte[] NODE = ascii("node/");
  static final byte[] HOTKEY = ascii("hotkey/");
  static final byte[] PEER = ascii("peer/");
  static final byte[] COLD = ascii("cold/");
  static final byte[] DELEGATION = ascii("deleg/");
  static final byte[] ROUND = ascii("round/");
  static final byte[] VALIDATOR = ascii("val/v/");
  static final byte[] VALIDATOR_OPERATOR = ascii("val/o/");

  // The compute market: executors, pools and their escrow, jobs and their indexes, epoch work.
  static final byte[] EXECUTOR = ascii("exec/e/");
  static final byte[] EXECUTOR_BY_NODE = ascii("exec/n/");
  static final byte[] EXECUTOR_BY_COLDKEY = ascii("exec/c/");
  static final byte[] POOL = ascii("pool/p/");
  static final byte[] POOL_MEMBER = ascii("pool/m/");
  static final byte[] ESCROW = ascii("pool/escrow");
  static final byte[] JOB = ascii("job/j/");
  static final byte[] JOB_QUEUE = ascii("job/q/");
  static final byte[] JOB_DEADLINE = ascii("job/d/");
  static final byte[] JOB_CHALLENGE = ascii("job/c/");
  static final byte[] JOB_BY_EXECUTOR = ascii("job/e/");
  static final byte[] JOB_BY_USER = ascii("job/u/");
  static final byte[] JOB_PAYOUT = ascii("job/p/");
  static final byte[] JOB_AVAILABILITY = ascii("job/a/");
  static final byte[] JOB_QUEUE_DEADLINE = ascii("job/t/");
  static final byte[] WORK = ascii("work/");

  static byte[] account(byte[] address) {
    return concat(ACCOUNT, address);
  }

  static byte[] subnet(long id) {
    return concat(SUBNET, u64(id));
  }

  static byte[] subnetName(String lowerName) {
    return concat(SUBNET_NAME, utf8(lowerName));
  }

  static byte[] subnetRepo(String lowerRepo) {
    return concat(SUBNET_REPO, utf8(lowerRepo));
  }

  static byte[] nodesOf(long subnetId) {
    return concat(NODE, u64(subnetId));
  }

  static byte[] node(long subnetId, long nodeId) {
    return concat(NODE, u64(subnetId), u64(nodeId));
  }

  static byte[] hotkey(byte[] hotkey) {
    return concat(HOTKEY, hotkey);
  }

  static byte[] peer(long subnetId, String peerId) {
    return concat(PEER, u64(subnetId), utf8(peerId));
  }

  static byte[] coldOf(byte[] coldkey) {
    return concat(COLD, coldkey);
  }

  static byte[] coldIn(byte[] coldkey, long subnetId) {
    return concat(COLD, coldkey, u64(subnetId));
  }

  static byte[] cold(byte[] coldkey, long subnetId, long nodeId) {
    return concat(COLD, coldkey, u64(subnetId), u64(nodeId));
  }

  static byte[] delegationsOf(byte[] address) {
    return concat(DELEGATION, address);
  }

  static byte[] delegation(byte[] address, long subnetId) {
    return concat(DELEGATION, address, u64(subnetId));
  }

  static byte[] round(long subnetId, long epoch) {
    return concat(ROUND, u64(subnetId), u64(epoch));
  }

  static byte[] validator(byte[] consensusAddress) {
    return concat(VALIDATOR, consensusAddress);
  }

  static byte[] validatorOperator(byte[] operator) {
    return concat(VALIDATOR_OPERATOR, operator);
  }

  static byte[] executor(byte[] address) {
    return concat(EXECUTOR, address);
  }

  static byte[] executorsOfNode(long subnetId, long nodeId) {
    return concat(EXECUTOR_BY_NODE, u64(subnetId), u64(nodeId));
  }

  static byte[] executorOfNode(long subnetId, long nodeId, byte[] address) {
    return concat(EXECUTOR_BY_NODE, u64(subnetId), u64(nodeId), address);
  }

  static byte[] executorsOfColdkey(byte[] coldkey) {
    return concat(EXECUTOR_BY_COLDKEY, coldkey);
  }

  static byte[] executorOfColdkey(byte[] coldkey, byte[] address) {
    return concat(EXECUTOR_BY_COLDKEY, coldkey, address);
  }

  static byte[] pool(long id) {
    return concat(POOL, u64(id));
  }

  static byte[] poolMembers(long poolId) {
    return concat(POOL_MEMBER, u64(poolId));
  }

  static byte[] poolMember(long poolId, byte[] executor) {
    return concat(POOL_MEMBER, u64(poolId), executor);
  }

  static byte[] job(long id) {
    return concat(JOB, u64(id));
  }

  static byte[] jobQueued(long id) {
    return concat(JOB_QUEUE, u64(id));
  }

  static byte[] jobDeadline(long height, long id) {
    return concat(JOB_DEADLINE, u64(height), u64(id));
  }

  static byte[] jobChallenge(long height, long id) {
    return concat(JOB_CHALLENGE, u64(height), u64(id));
  }

  static byte[] jobPayout(long height, long id) {
    return concat(JOB_PAYOUT, u64(height), u64(id));
  }

  static byte[] jobAvailability(long height, long id) {
    return concat(JOB_AVAILABILITY, u64(height), u64(id));
  }

  static byte[] jobQueueDeadline(long height, long id) {
    return concat(JOB_QUEUE_DEADLINE, u64(height), u64(id));
  }

  static byte[] jobsOfExecutor(byte[] executor) {
    return concat(JOB_BY_EXECUTOR, executor);
  }

  static byte[] jobOfExecutor(byte[] executor, long id) {
    return concat(JOB_BY_EXECUTOR, executor, u64(id));
  }

  static byte[] jobsOfUser(long poolId, byte[] user) {
    return concat(JOB_BY_USER, u64(poolId), user);
  }

  static byte[] jobOfUser(long poolId, byte[] user, long id) {
    return concat(JOB_BY_USER, u64(poolId), user, u64(id));
  }

  static byte[] work(long subnetId, long epoch) {
    return concat(WORK, u64(subnetId), u64(epoch));
  }

  /** The smallest key greater than every key starting with {@code prefix}. */
  static byte[] end(byte[] prefix) {
    byte[] out = Arrays.copyOf(prefix, prefix.length);
    for (int i = out.length - 1; i >= 0; i--) {
      if (out[i] != (byte) 0xff) {
        out[i]++;
        return Arrays.copyOf(out, i + 1);
      }
    }
    return null;
  }

  static long u64At(byte[] key, int offset) {
    return ByteBuffer.wrap(key, offset, 8).getLong();
  }

  static byte[] u64(long value) {
    return ByteBuffer.allocate(8).putLong(value).array();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
