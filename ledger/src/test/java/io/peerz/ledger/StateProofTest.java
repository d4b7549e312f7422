package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.MerkleProof;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class StateProofTest {
  private static byte[] k(int i) {
    return ("key-" + i).getBytes();
  }

  private static byte[] v(int i) {
    return ("value-" + i).getBytes();
  }

  private static MemTree tree(List<Integer> ids) {
    MemTree t = new MemTree();
    TreeMap<byte[], byte[]> all = new TreeMap<>(Arrays::compareUnsigned);
    ids.forEach(id -> all.put(k(id), v(id)));
    t.apply(all);
    return t;
  }

  @Test
  void provesAbsenceInTheEmptyTree() {
    MemTree t = new MemTree();
    StateProof p = t.prove(k(1));
    assertThat(p.value()).isNull();
    assertThat(p.verify(t.root)).isTrue();
    assertThat(p.verify(Sha256.hash())).isFalse();
  }

  @Test
  void provesAbsenceByAnotherLeafOnThePath() {
    MemTree t = tree(List.of(1));
    StateProof p = t.prove(k(2));
    assertThat(p.value()).isNull();
    assertThat(p.verify(t.root)).isTrue();
    StateProof member = t.prove(k(1));
    assertThat(member.value()).isEqualTo(v(1));
    assertThat(member.verify(t.root)).isTrue();
  }

  @Test
  void aProofOfAbsenceFailsOnceTheKeyIsPresent() {
    MemTree t = tree(List.of(1, 2, 3));
    StateProof absent = t.prove(k(4));
    byte[] oldRoot = t.root;
    t.put(k(4), v(4));
    assertThat(absent.verify(oldRoot)).isTrue();
    assertThat(absent.verify(t.root)).isFalse();
    assertThat(t.prove(k(4)).verify(t.root)).isTrue();
  }

  @Test
  void anEmptyValueIsProvenPresentNotAbsent() {
    MemTree t = new MemTree();
    t.put(k(1), new byte[0]);
    StateProof p = StateProof.fromBytes(t.prove(k(1)).toBytes());
    assertThat(p.value()).isEmpty();
    assertThat(p.verify(t.root)).isTrue();
  }

  @Test
  void fromBytesRejectsMalformedInputWithIllegalArgument() {
    assertThatThrownBy(() -> StateProof.fromBytes(new byte[] {(byte) 0xff}))
        .isInstanceOf(IllegalArgumentException.class);
    // A sibling of 3 bytes.
    assertThatThrownBy(() -> StateProof.fromBytes(new byte[] {0x1a, 3, 1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sibling");
    // An unknown field.
    assertThatThrownBy(() -> StateProof.fromBytes(new byte[] {0x30, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Provide
  Arbitrary<List<Integer>> keys() {
    return Arbitraries.integers()
        .between(0, 200)
        .list()
        .ofMinSize(1)
        .ofMaxSize(40)
        .uniqueElements();
  }

  /**
   * A membership proof fails on any changed byte. A changed proof of absence fails too, except
   * where the change only renames the key to another key that is absent under the same path: that
   * proof is then true, so the property is that no tampered proof ever verifies a false statement.
   */
  @Property(tries = 60)
  void proofsVerifyAndNoChangedByteMakesThemProveSomethingFalse(
      @ForAll("keys") List<Integer> ids,
      @ForAll @IntRange(min = 201, max = 400) int absentId,
      @ForAll @IntRange(min = 1, max = 255) int flip) {
    MemTree t = tree(ids);
    StateProof member = t.prove(k(ids.get(0)));
    StateProof absent = t.prove(k(absentId));
    assertThat(member.value()).isEqualTo(v(ids.get(0)));
    assertThat(absent.value()).isNull();
    for (StateProof proof : List.of(member, absent)) {
      assertThat(proof.verify(t.root)).isTrue();
      byte[] bytes = proof.toBytes();
      StateProof decoded = StateProof.fromBytes(bytes);
      assertThat(decoded).isEqualTo(proof);
      assertThat(decoded.verify(t.root)).isTrue();
      for (int i = 0; i < bytes.length; i++) {
        byte[] changed = bytes.clone();
        changed[i] ^= (byte) flip;
        StateProof tampered = decodeOrNull(changed);
        if (tampered == null || !tampered.verify(t.root)) {
          continue;
        }
        assertThat(proof.value()).as("membership proof, byte %d changed", i).isNull();
        assertThat(tampered.key()).as("byte %d changed", i).isNotEqualTo(proof.key());
        assertThat(tampered.value()).isNull();
        assertThat(t.values.get(tampered.key())).isNull();
      }
      for (int i = 0; i < 32; i++) {
        byte[] root = t.root.clone();
        root[i] ^= (byte) flip;
        assertThat(proof.verify(root)).isFalse();
      }
    }
  }

  @Property(tries = 60)
  void aProofDoesNotVerifyForAnotherValueOrAPresentKeysAbsence(
      @ForAll("keys") List<Integer> ids, @ForAll @IntRange(min = 1, max = 255) int flip)
      throws Exception {
    MemTree t = tree(ids);
    byte[] key = k(ids.get(0));
    StateProof member = t.prove(key);
    byte[] wrongValue = v(ids.get(0));
    wrongValue[wrongValue.length - 1] ^= (byte) flip;
    StateProof forged =
        StateProof.fromBytes(replaceValue(member.toBytes(), v(ids.get(0)), wrongValue));
    assertThat(forged.value()).isEqualTo(wrongValue);
    assertThat(forged.verify(t.root)).isFalse();
    // Absence of a present key: the proof of another key's path cannot be reused.
    StateProof absentElsewhere = t.prove(k(1000));
    byte[] renamed = replaceKey(absentElsewhere.toBytes(), k(1000), key);
    StateProof claim = decodeOrNull(renamed);
    assertThat(claim == null || !claim.verify(t.root)).isTrue();
  }

  private static byte[] replaceValue(byte[] proof, byte[] from, byte[] to) throws Exception {
    MerkleProof m = MerkleProof.parseFrom(proof);
    assertThat(m.getValue().toByteArray()).isEqualTo(from);
    return DeterministicProto.encode(m.toBuilder().setValue(ByteString.copyFrom(to)).build());
  }

  private static byte[] replaceKey(byte[] proof, byte[] from, byte[] to) throws Exception {
    MerkleProof m = MerkleProof.parseFrom(proof);
    assertThat(m.getKey().toByteArray()).isEqualTo(from);
    return DeterministicProto.encode(m.toBuilder().setKey(ByteString.copyFrom(to)).build());
  }

  private static StateProof decodeOrNull(byte[] bytes) {
    try {
      return StateProof.fromBytes(bytes);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
