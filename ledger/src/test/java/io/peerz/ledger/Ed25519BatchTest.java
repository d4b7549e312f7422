package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class Ed25519BatchTest {
  private final Ed25519Batch batch = new Ed25519Batch();

  /** One (public key, message, signature) item. */
  record Item(byte[] publicKey, byte[] message, byte[] signature) {
    Item copy() {
      return new Item(publicKey.clone(), message.clone(), signature.clone());
    }
  }

  /** A named way to spoil a valid item. */
  record Mutation(String name, BiFunction<Item, Random, Item> apply) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Mutation> MUTATIONS =
      List.of(
          new Mutation("bit of S", (it, rnd) -> flip(it, it.signature, 32 + rnd.nextInt(32), rnd)),
          new Mutation("bit of R", (it, rnd) -> flip(it, it.signature, rnd.nextInt(32), rnd)),
          new Mutation("bit of the message", Ed25519BatchTest::flipMessage),
          new Mutation("bit of the key", (it, rnd) -> flip(it, it.publicKey, rnd.nextInt(32), rnd)),
          new Mutation("S + L", Ed25519BatchTest::sPlusL),
          new Mutation("R with y >= p", (it, rnd) -> withR(it, nonCanonical(rnd))),
          new Mutation("key with y >= p", (it, rnd) -> withKey(it, nonCanonical(rnd))),
          new Mutation("R of small order", (it, rnd) -> withR(it, torsion(rnd.nextInt(8)))),
          new Mutation("key of small order", (it, rnd) -> withKey(it, torsion(rnd.nextInt(8)))),
          new Mutation("truncated signature", (it, rnd) -> withSignature(it, new byte[63])),
          new Mutation("short key", (it, rnd) -> withKey(it, new byte[31])));

  @Test
  void validSignaturesAreAllValidInBatchesOfEverySize() {
    Random rnd = new Random(1);
    for (int size : new int[] {1, 2, 3, 4, 5, 7, 8, 64, 100, 257, 600}) {
      List<Item> items = validItems(size, rnd);
      assertThat(batch.verify(keys(items), messages(items), signatures(items)))
          .as("batch of %d", size)
          .containsOnly(true)
          .hasSize(size);
    }
  }

  @Test
  void theBatchEquationAloneHoldsForValidBatchesAndFailsWithOneBadItem() {
    Random rnd = new Random(11);
    for (int size : new int[] {1, 2, 4, 7, 64, 257}) {
      List<Item> items = validItems(size, rnd);
      assertThat(batch.batchHolds(keys(items), messages(items), signatures(items)))
          .as("valid batch of %d", size)
          .isTrue();
      int bad = rnd.nextInt(size);
      items.set(bad, flipMessage(items.get(bad), rnd));
      assertThat(batch.batchHolds(keys(items), messages(items), signatures(items)))
          .as("batch of %d with item %d spoiled", size, bad)
          .isFalse();
    }
    Ed25519KeyPair one = key(rnd);
    List<Item> sameKey = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sameKey.add(signed(one, rnd));
    }
    assertThat(batch.batchHolds(keys(sameKey), messages(sameKey), signatures(sameKey)))
        .as("one key's terms summed")
        .isTrue();
    sameKey.set(30, withSignature(sameKey.get(30), sameKey.get(31).signature));
    assertThat(batch.batchHolds(keys(sameKey), messages(sameKey), signatures(sameKey)))
        .as("one key, swapped signature")
        .isFalse();
  }

  @Test
  void manySignaturesOfFewKeysAreAllValid() {
    Random rnd = new Random(2);
    List<Ed25519KeyPair> signers = List.of(key(rnd), key(rnd), key(rnd));
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      items.add(signed(signers.get(rnd.nextInt(signers.size())), rnd));
    }
    assertThat(batch.verify(keys(items), messages(items), signatures(items))).containsOnly(true);
    items.set(123, sPlusL(items.get(123), rnd));
    assertAgreesWithSingle(items, "one key's S + L among its valid signatures");
  }

  @Test
  void everyMutationAmongValidItemsGetsTheSingleVerdictAndSparesItsNeighbours() {
    Random rnd = new Random(3);
    for (Mutation mutation : MUTATIONS) {
      for (int position : new int[] {0, 7, 15}) {
        List<Item> items = validItems(16, rnd);
        items.set(position, mutation.apply().apply(items.get(position), rnd));
        boolean[] verdicts = assertAgreesWithSingle(items, mutation.name());
        assertThat(verdicts[position]).as("%s is rejected", mutation).isFalse();
        for (int i = 0; i < items.size(); i++) {
          assertThat(verdicts[i] || i == position).as("neighbour %d of %s", i, mutation).isTrue();
        }
      }
    }
  }

  @Test
  void swappedSignaturesAreRejected() {
    Random rnd = new Random(4);
    List<Item> items = validItems(20, rnd);
    Item a = items.get(3);
    Item b = items.get(11);
    items.set(3, withSignature(a, b.signature));
    items.set(11, withSignature(b, a.signature));
    boolean[] verdicts = assertAgreesWithSingle(items, "swapped signatures");
    assertThat(verdicts[3]).isFalse();
    assertThat(verdicts[11]).isFalse();
  }

  @Test
  void aKeyWithASmallOrderComponentIsAcceptedAsBouncyCastleAcceptsIt() {
    Random rnd = new Random(5);
    for (int t = 0; t < EdwardsReference.TORSION.length; t++) {
      byte[] seed = new byte[32];
      rnd.nextBytes(seed);
      BigInteger a = EdwardsReference.secretScalar(seed);
      EdwardsReference.Point honest = EdwardsReference.times(a, EdwardsReference.BASE);
      assertThat(EdwardsReference.encode(honest))
          .as("the reference agrees with BC's keys")
          .isEqualTo(Ed25519KeyPair.fromSeed(seed).publicKey());
      byte[] mixed = EdwardsReference.encode(EdwardsReference.add(honest, torsionPoint(t)));
      BigInteger r = new BigInteger(250, rnd);
      byte[] encodedR = EdwardsReference.encode(EdwardsReference.times(r, EdwardsReference.BASE));
      byte[] message = ("mixed key " + t).getBytes();
      Item item = new Item(mixed, message, EdwardsReference.sign(a, mixed, r, encodedR, message));
      assertThat(Ed25519.verify(item.publicKey, item.message, item.signature))
          .as("BC verifies cofactored")
          .isTrue();
      List<Item> items = validItems(10, rnd);
      items.set(4, item);
      items.set(6, flip(item, item.signature, 40, rnd));
      boolean[] verdicts = assertAgreesWithSingle(items, "mixed key, torsion " + t);
      assertThat(verdicts[4]).isTrue();
      List<Item> upToMixed = new ArrayList<>(items.subList(0, 6));
      assertThat(batch.batchHolds(keys(upToMixed), messages(upToMixed), signatures(upToMixed)))
          .as("the mixed key is decided by the batch equation")
          .isTrue();
      assertThat(verdicts[6]).isFalse();
    }
  }

  @Test
  void anRWithASmallOrderComponentIsAcceptedAsBouncyCastleAcceptsIt() {
    Random rnd = new Random(6);
    for (int t = 0; t < EdwardsReference.TORSION.length; t++) {
      byte[] seed = new byte[32];
      rnd.nextBytes(seed);
      BigInteger a = EdwardsReference.secretScalar(seed);
      byte[] key = Ed25519KeyPair.fromSeed(seed).publicKey();
      byte[] message = ("small-order R " + t).getBytes();
      // R = T alone (r = 0) and R = [r]B + T: both satisfy [8]([S]B - R - [k]A) = 0.
      byte[] pureR = torsion(t);
      BigInteger r = new BigInteger(250, rnd);
      byte[] mixedR =
          EdwardsReference.encode(
              EdwardsReference.add(
                  EdwardsReference.times(r, EdwardsReference.BASE), torsionPoint(t)));
      Item pure =
          new Item(key, message, EdwardsReference.sign(a, key, BigInteger.ZERO, pureR, message));
      Item mixed = new Item(key, message, EdwardsReference.sign(a, key, r, mixedR, message));
      assertThat(Ed25519.verify(pure.publicKey, pure.message, pure.signature)).isTrue();
      assertThat(Ed25519.verify(mixed.publicKey, mixed.message, mixed.signature)).isTrue();
      List<Item> items = validItems(12, rnd);
      items.set(2, pure);
      items.set(9, mixed);
      assertThat(assertAgreesWithSingle(items, "small-order R " + t)).containsOnly(true);
      assertThat(batch.batchHolds(keys(items), messages(items), signatures(items)))
          .as("small-order R decided by the batch equation")
          .isTrue();
    }
  }

  @Test
  void signaturesThatHoldOnlyThroughARejectedEncodingAreRejected() {
    Random rnd = new Random(7);
    byte[] seed = new byte[32];
    rnd.nextBytes(seed);
    BigInteger a = EdwardsReference.secretScalar(seed);
    byte[] key = Ed25519KeyPair.fromSeed(seed).publicKey();
    byte[] message = "rejected encodings".getBytes();
    List<Item> crafted = new ArrayList<>();
    // R = y = p + 1 (the neutral element) and y = p (order 4), not canonical: BC rejects R.
    for (int j : new int[] {0, 1}) {
      byte[] r = EdwardsReference.littleEndian(EdwardsReference.P.add(BigInteger.valueOf(j)), 32);
      crafted.add(
          new Item(key, message, EdwardsReference.sign(a, key, BigInteger.ZERO, r, message)));
    }
    // A of small order: [8]([s]B - [s]B - [k]T) = 0 holds, but BC rejects the key.
    for (int t = 0; t < EdwardsReference.TORSION.length; t++) {
      BigInteger s = new BigInteger(250, rnd);
      byte[] r = EdwardsReference.encode(EdwardsReference.times(s, EdwardsReference.BASE));
      byte[] sig = new byte[64];
      System.arraycopy(r, 0, sig, 0, 32);
      System.arraycopy(EdwardsReference.littleEndian(s, 32), 0, sig, 32, 32);
      crafted.add(new Item(torsion(t), message, sig));
    }
    for (Item item : crafted) {
      assertThat(Ed25519.verify(item.publicKey, item.message, item.signature)).isFalse();
    }
    List<Item> items = validItems(6, rnd);
    items.addAll(crafted);
    items.addAll(validItems(6, rnd));
    boolean[] verdicts = assertAgreesWithSingle(items, "crafted");
    for (int i = 6; i < 6 + crafted.size(); i++) {
      assertThat(verdicts[i]).isFalse();
    }
  }

  @Test
  void rfc8032TestVectorsOneToThreeVerifyInABatchAndTheirMutationsDoNot() {
    String[][] vectors = {
      {
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
      },
      {
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
      },
      {
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
      },
    };
    List<Item> items = new ArrayList<>();
    for (String[] v : vectors) {
      Ed25519KeyPair key = Ed25519KeyPair.fromSeed(Hex.decode(v[0]));
      assertThat(key.publicKey()).isEqualTo(Hex.decode(v[1]));
      assertThat(key.sign(Hex.decode(v[2]))).isEqualTo(Hex.decode(v[3]));
      items.add(new Item(Hex.decode(v[1]), Hex.decode(v[2]), Hex.decode(v[3])));
    }
    assertThat(batch.verify(keys(items), messages(items), signatures(items))).containsOnly(true);
    Random rnd = new Random(8);
    List<Item> mixed = new ArrayList<>(items);
    for (Item item : items) {
      mixed.add(flip(item, item.signature, rnd.nextInt(64), rnd));
    }
    assertThat(assertAgreesWithSingle(mixed, "RFC 8032 vectors"))
        .containsExactly(true, true, true, false, false, false);
  }

  @Test
  void aBatchOfOnlyInvalidItemsIsAllRejected() {
    Random rnd = new Random(9);
    List<Item> items = validItems(40, rnd);
    for (int i = 0; i < items.size(); i++) {
      items.set(i, flipMessage(items.get(i), rnd));
    }
    assertThat(assertAgreesWithSingle(items, "all invalid")).containsOnly(false);
  }

  @Test
  void nullsAndWrongLengthsGiveFalseAndMismatchedListsThrow() {
    Random rnd = new Random(10);
    List<Item> items = validItems(8, rnd);
    List<byte[]> keys = keys(items);
    List<byte[]> messages = messages(items);
    List<byte[]> signatures = signatures(items);
    keys.set(1, null);
    messages.set(2, null);
    signatures.set(3, null);
    keys.set(4, new byte[33]);
    assertThat(batch.verify(keys, messages, signatures))
        .containsExactly(true, false, false, false, false, true, true, true);
    assertThatThrownBy(() -> batch.verify(keys, messages, signatures.subList(0, 7)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Random mixes of valid and spoiled items: the batch verdict is the single one, item by item. */
  @Property(tries = 60)
  void batchVerdictEqualsSingleVerdictForRandomMixes(@ForAll long seed) {
    Random rnd = new Random(seed);
    int size = 1 + rnd.nextInt(80);
    List<Item> items = validItems(size, rnd);
    for (int i = 0; i < size; i++) {
      int roll = rnd.nextInt(8);
      if (roll == 0) {
        Mutation m = MUTATIONS.get(rnd.nextInt(MUTATIONS.size()));
        items.set(i, m.apply().apply(items.get(i), rnd));
      } else if (roll == 1 && i > 0) {
        items.set(i, withSignature(items.get(i), items.get(i - 1).signature));
      } else if (roll == 2 && i > 0) {
        items.set(i, signed(items.get(i - 1).publicKey, rnd)); // same key again: one MSM term
      }
    }
    assertAgreesWithSingle(items, "seed " + seed);
  }

  /** Verifies the items in one batch and one by one, asserts equal verdicts, returns them. */
  private boolean[] assertAgreesWithSingle(List<Item> items, String what) {
    boolean[] verdicts = batch.verify(keys(items), messages(items), signatures(items));
    boolean[] single = new boolean[items.size()];
    for (int i = 0; i < items.size(); i++) {
      Item it = items.get(i);
      single[i] = Ed25519.verify(it.publicKey, it.message, it.signature);
    }
    assertThat(verdicts).as("%s: batch verdicts equal single verdicts", what).isEqualTo(single);
    return verdicts;
  }

  private static final java.util.Map<String, Ed25519KeyPair> KEYS_BY_PUBLIC =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static Ed25519KeyPair key(Random rnd) {
    byte[] seed = new byte[32];
    rnd.nextBytes(seed);
    Ed25519KeyPair key = Ed25519KeyPair.fromSeed(seed);
    KEYS_BY_PUBLIC.put(Hex.encode(key.publicKey()), key);
    return key;
  }

  private static Item signed(Ed25519KeyPair key, Random rnd) {
    byte[] message = new byte[rnd.nextInt(120)];
    rnd.nextBytes(message);
    return new Item(key.publicKey(), message, key.sign(message));
  }

  /** A new valid signature by the key of {@code publicKey} (made here by {@link #key}). */
  private static Item signed(byte[] publicKey, Random rnd) {
    Ed25519KeyPair key = KEYS_BY_PUBLIC.get(Hex.encode(publicKey));
    return key == null ? signed(key(rnd), rnd) : signed(key, rnd);
  }

  private static List<Item> validItems(int n, Random rnd) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(signed(key(rnd), rnd));
    }
    return items;
  }

  private static Item flip(Item item, byte[] field, int index, Random rnd) {
    Item copy = item.copy();
    byte[] target = field == item.signature ? copy.signature : copy.publicKey;
    target[index] ^= (byte) (1 << rnd.nextInt(8));
    return copy;
  }

  private static Item flipMessage(Item item, Random rnd) {
    Item copy = item.copy();
    if (copy.message.length == 0) {
      return new Item(copy.publicKey, new byte[] {1}, copy.signature);
    }
    copy.message[rnd.nextInt(copy.message.length)] ^= (byte) (1 << rnd.nextInt(8));
    return copy;
  }

  private static Item sPlusL(Item item, Random rnd) {
    byte[] s = Arrays.copyOfRange(item.signature, 32, 64);
    BigInteger sl = EdwardsReference.fromLittleEndian(s).add(EdwardsReference.L);
    byte[] sig = item.signature.clone();
    System.arraycopy(EdwardsReference.littleEndian(sl, 32), 0, sig, 32, 32);
    return withSignature(item, sig);
  }

  /** An encoding of y = p + j (j < 19, so below 2^255) with a random sign bit: never canonical. */
  private static byte[] nonCanonical(Random rnd) {
    byte[] e =
        EdwardsReference.littleEndian(
            EdwardsReference.P.add(BigInteger.valueOf(rnd.nextInt(19))), 32);
    if (rnd.nextBoolean()) {
      e[31] |= (byte) 0x80;
    }
    return e;
  }

  private static byte[] torsion(int t) {
    return Hex.decode(EdwardsReference.TORSION[t]);
  }

  private static EdwardsReference.Point torsionPoint(int t) {
    EdwardsReference.Point p = EdwardsReference.decode(torsion(t));
    assertThat(EdwardsReference.times(BigInteger.valueOf(8), p)).isEqualTo(EdwardsReference.ZERO);
    return p;
  }

  private static Item withR(Item item, byte[] r) {
    byte[] sig = item.signature.clone();
    System.arraycopy(r, 0, sig, 0, 32);
    return withSignature(item, sig);
  }

  private static Item withKey(Item item, byte[] key) {
    return new Item(key, item.message, item.signature);
  }

  private static Item withSignature(Item item, byte[] signature) {
    return new Item(item.publicKey, item.message, signature);
  }

  private static List<byte[]> keys(List<Item> items) {
    return new ArrayList<>(items.stream().map(Item::publicKey).toList());
  }

  private static List<byte[]> messages(List<Item> items) {
    return new ArrayList<>(items.stream().map(Item::message).toList());
  }

  private static List<byte[]> signatures(List<Item> items) {
    return new ArrayList<>(items.stream().map(Item::signature).toList());
  }
}
