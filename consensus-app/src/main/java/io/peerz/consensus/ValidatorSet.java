package io.peerz.consensus;

import io.peerz.ledger.Address;
import io.peerz.ledger.Sha256;
import io.peerz.ledger.proto.Validator;
import io.peerz.ledger.proto.ValidatorUpdate;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A validator set with CometBFT's proposer-priority rotation (types/validator_set.go): each step
 * adds every validator's power to its priority and the highest priority proposes and pays the total
 * power back, so over time each proposes in proportion to its power. Mutable; copy before sharing.
 */
final class ValidatorSet {

  /** How far apart priorities may drift, in multiples of the total power (CometBFT's value). */
  static final long PRIORITY_WINDOW_SIZE_FACTOR = 2;

  /** CometBFT's MaxTotalVotingPower: leaves room for priority arithmetic without overflow. */
  static final long MAX_TOTAL_POWER = Long.MAX_VALUE / 8;

  /** One validator: address, Ed25519 public key, voting power and proposer priority. */
  static final class Member {
    final byte[] address;
    final byte[] pubKey;
    final long power;
    long priority;

    Member(byte[] address, byte[] pubKey, long power, long priority) {
      this.address = address;
      this.pubKey = pubKey;
      this.power = power;
      this.priority = priority;
    }

    com.google.protobuf.ByteString addressBytes() {
      return com.google.protobuf.ByteString.copyFrom(address);
    }

    Member copy() {
      return new Member(address, pubKey, power, priority);
    }
  }

  private static final Comparator<Member> BY_POWER_THEN_ADDRESS =
      (a, b) -> {
        int c = Long.compare(b.power, a.power);
        return c != 0 ? c : Arrays.compareUnsigned(a.address, b.address);
      };

  private final List<Member> members;
  private Member proposer;

  private ValidatorSet(List<Member> members, Member proposer) {
    this.members = members;
    this.proposer = proposer;
  }

  /** CometBFT's NewValidatorSet: priorities start at zero, then one rotation picks a proposer. */
  static ValidatorSet of(List<ValidatorUpdate> updates) {
    ValidatorSet set = new ValidatorSet(new ArrayList<>(), null);
    set.apply(updates);
    if (set.members.isEmpty()) {
      throw new IllegalArgumentException("validator set is empty");
    }
    set.increment(1);
    return set;
  }

  /** Rebuilds a set exactly as stored (with its priorities), e.g. from an RPC snapshot. */
  static ValidatorSet fromProto(List<Validator> validators) {
    List<Member> ms = new ArrayList<>();
    for (Validator v : validators) {
      ms.add(
          new Member(
              v.getAddress().toByteArray(),
              v.getPubKey().toByteArray(),
              v.getVotingPower(),
              v.getProposerPriority()));
    }
    ValidatorSet set = new ValidatorSet(ms, null);
    set.proposer = set.mostPriority();
    return set;
  }

  /**
   * Rebuilds a set as stored, with the proposer it had: after a rotation the proposer has paid its
   * priority back, so it is not always the highest priority any more.
   */
  static ValidatorSet fromProto(List<Validator> validators, byte[] proposerAddress) {
    ValidatorSet set = fromProto(validators);
    int i = set.indexOf(proposerAddress);
    if (i < 0) {
      throw new IllegalArgumentException("proposer is not a member of the validator set");
    }
    set.proposer = set.members.get(i);
    return set;
  }

  ValidatorSet copy() {
    List<Member> ms = new ArrayList<>(members.size());
    Member p = null;
    for (Member m : members) {
      Member c = m.copy();
      if (m == proposer) {
        p = c;
      }
      ms.add(c);
    }
    return new ValidatorSet(ms, p);
  }

  /** A copy rotated {@code times} steps (the proposer of round {@code times} of a height). */
  ValidatorSet copyIncrement(int times) {
    ValidatorSet c = copy();
    if (times > 0) {
      c.increment(times);
    }
    return c;
  }

  /** A copy with updates applied (power 0 removes) and one rotation: next height's set. */
  ValidatorSet next(List<ValidatorUpdate> updates) {
    ValidatorSet c = copy();
    if (!updates.isEmpty()) {
      c.apply(updates);
      if (c.members.isEmpty()) {
        throw new IllegalStateException("validator updates removed every validator");
      }
    }
    c.increment(1);
    return c;
  }

  int size() {
    return members.size();
  }

  Member get(int index) {
    return members.get(index);
  }

  Member proposer() {
    return proposer;
  }

  int indexOf(byte[] address) {
    for (int i = 0; i < members.size(); i++) {
      if (Arrays.equals(members.get(i).address, address)) {
        return i;
      }
    }
    return -1;
  }

  long totalPower() {
    long total = 0;
    for (Member m : members) {
      total = Math.addExact(total, m.power);
    }
    return total;
  }

  /** Whether {@code power} is more than two thirds of the total. */
  boolean isQuorum(long power) {
    // Total power is capped at MAX_TOTAL_POWER, so these products cannot overflow.
    return power * 3 > totalPower() * 2;
  }

  /** Whether {@code power} is more than one third of the total (one honest validator at least). */
  boolean isOneThird(long power) {
    return power * 3 > totalPower();
  }

  /** SHA-256 over each validator's public key and power, in set order. */
  byte[] hash() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Member m : members) {
      out.writeBytes(m.pubKey);
      out.writeBytes(ByteBuffer.allocate(8).putLong(m.power).array());
    }
    return Sha256.hash(out.toByteArray());
  }

  List<Validator> toProto() {
    List<Validator> out = new ArrayList<>();
    for (Member m : members) {
      out.add(
          Validator.newBuilder()
              .setAddress(com.google.protobuf.ByteString.copyFrom(m.address))
              .setPubKey(com.google.protobuf.ByteString.copyFrom(m.pubKey))
              .setVotingPower(m.power)
              .setProposerPriority(m.priority)
              .build());
    }
    return out;
  }

  /** Whether both sets have the same members and powers (priorities aside). */
  boolean sameMembers(ValidatorSet other) {
    return Arrays.equals(hash(), other.hash());
  }

  private void apply(List<ValidatorUpdate> updates) {
    // Totals after the updates decide where newcomers start: -1.125 x total, so a new validator
    // cannot propose right away (CometBFT's computeNewPriorities).
    List<Member> updated = new ArrayList<>();
    for (Member m : members) {
      updated.add(m);
    }
    List<byte[]> added = new ArrayList<>();
    for (ValidatorUpdate u : updates) {
      byte[] pub = u.getPubKey().toByteArray();
      if (pub.length != 32) {
        throw new IllegalArgumentException("validator public key must be 32 bytes");
      }
      if (u.getPower() < 0) {
        throw new IllegalArgumentException("validator power must not be negative");
      }
      byte[] address = Address.of(pub).bytes();
      updated.removeIf(m -> Arrays.equals(m.address, address));
      added.removeIf(a -> Arrays.equals(a, address));
      if (u.getPower() > 0) {
        Member existing = find(address);
        long priority = existing == null ? 0 : existing.priority;
        updated.add(new Member(address, pub, u.getPower(), priority));
        if (existing == null) {
          added.add(address);
        }
      }
    }
    long total = 0;
    for (Member m : updated) {
      total = Math.addExact(total, m.power);
    }
    if (total > MAX_TOTAL_POWER) {
      throw new IllegalArgumentException("total voting power exceeds " + MAX_TOTAL_POWER);
    }
    long newcomer = -(total + (total >> 3));
    for (Member m : updated) {
      for (byte[] a : added) {
        if (Arrays.equals(a, m.address)) {
          m.priority = newcomer;
        }
      }
    }
    members.clear();
    members.addAll(updated);
    if (!members.isEmpty()) {
      rescale(PRIORITY_WINDOW_SIZE_FACTOR * total);
      shiftByAverage();
    }
    members.sort(BY_POWER_THEN_ADDRESS);
  }

  private Member find(byte[] address) {
    for (Member m : members) {
      if (Arrays.equals(m.address, address)) {
        return m;
      }
    }
    return null;
  }

  /** CometBFT's IncrementProposerPriority(times). */
  void increment(int times) {
    long total = totalPower();
    rescale(PRIORITY_WINDOW_SIZE_FACTOR * total);
    shiftByAverage();
    Member p = null;
    for (int i = 0; i < times; i++) {
      for (Member m : members) {
        m.priority = addClip(m.priority, m.power);
      }
      p = mostPriority();
      p.priority = subClip(p.priority, total);
    }
    proposer = p;
  }

  private void rescale(long diffMax) {
    long max = Long.MIN_VALUE;
    long min = Long.MAX_VALUE;
    for (Member m : members) {
      max = Math.max(max, m.priority);
      min = Math.min(min, m.priority);
    }
    long diff = max - min;
    if (diff < 0) {
      diff = Long.MAX_VALUE;
    }
    if (diff > diffMax && diffMax > 0) {
      long ratio = (diff + diffMax - 1) / diffMax;
      for (Member m : members) {
        m.priority /= ratio;
      }
    }
  }

  private void shiftByAverage() {
    java.math.BigInteger sum = java.math.BigInteger.ZERO;
    for (Member m : members) {
      sum = sum.add(java.math.BigInteger.valueOf(m.priority));
    }
    // Go's big.Int Div is Euclidean: for a positive divisor it rounds toward negative infinity.
    java.math.BigInteger[] qr =
        sum.divideAndRemainder(java.math.BigInteger.valueOf(members.size()));
    java.math.BigInteger avg = qr[0];
    if (qr[1].signum() < 0) {
      avg = avg.subtract(java.math.BigInteger.ONE);
    }
    long a = avg.longValueExact();
    for (Member m : members) {
      m.priority = subClip(m.priority, a);
    }
  }

  private Member mostPriority() {
    Member best = null;
    for (Member m : members) {
      if (best == null
          || m.priority > best.priority
          || (m.priority == best.priority && Arrays.compareUnsigned(m.address, best.address) < 0)) {
        best = m;
      }
    }
    return best;
  }

  private static long addClip(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return r;
  }

  private static long subClip(long a, long b) {
    long r = a - b;
    if (((a ^ b) & (a ^ r)) < 0) {
      return a >= 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return r;
  }
}
