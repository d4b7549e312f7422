package io.peerz.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;
import org.junit.jupiter.api.Test;

class ChangeSetTest {
  private static byte[] b(int... v) {
    byte[] out = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = (byte) v[i];
    }
    return out;
  }

  @Test
  void readsItsOwnWritesAndDeletesOverTheBase() {
    MapState base = new MapState().put(b(1), b(10)).put(b(2), b(20));
    ChangeSet cs = new ChangeSet(base);
    cs.put(b(1), b(11));
    cs.delete(b(2));
    cs.put(b(3), b(30));
    assertThat(cs.get(b(1))).isEqualTo(b(11));
    assertThat(cs.get(b(2))).isNull();
    assertThat(cs.get(b(3))).isEqualTo(b(30));
    assertThat(base.get(b(1))).isEqualTo(b(10));
    assertThat(cs.size()).isEqualTo(3);
  }

  @Test
  void keepsWritesInUnsignedKeyOrder() {
    ChangeSet cs = new ChangeSet(new MapState());
    cs.put(b(0x80), b(1));
    cs.put(b(0x7f), b(2));
    cs.put(b(0xff), b(3));
    assertThat(new ArrayList<>(cs.writes().keySet())).containsExactly(b(0x7f), b(0x80), b(0xff));
  }

  @Test
  void scanMergesWritesOverBaseAndHidesDeletions() {
    MapState base = new MapState().put(b(1), b(10)).put(b(3), b(30)).put(b(5), b(50));
    ChangeSet cs = new ChangeSet(base);
    cs.put(b(2), b(21));
    cs.delete(b(3));
    cs.put(b(5), b(51));
    cs.put(b(6), b(61));
    assertThat(collect(cs, b(), null)).containsExactly("01=0a", "02=15", "05=33", "06=3d");
    assertThat(collect(cs, b(2), b(6))).containsExactly("02=15", "05=33");
  }

  @Test
  void scanStopsWhenTheVisitorReturnsFalse() {
    MapState base = new MapState().put(b(1), b(10)).put(b(3), b(30));
    ChangeSet cs = new ChangeSet(base);
    cs.put(b(2), b(20));
    List<byte[]> seen = new ArrayList<>();
    cs.scan(
        b(),
        null,
        (k, v) -> {
          seen.add(k);
          return seen.size() < 2;
        });
    assertThat(seen).containsExactly(b(1), b(2));
  }

  @Test
  void childCommitsIntoItsParentOrIsDropped() {
    ChangeSet parent = new ChangeSet(new MapState().put(b(1), b(10)));
    ChangeSet rolledBack = parent.child();
    rolledBack.put(b(2), b(20));
    rolledBack.delete(b(1));
    assertThat(rolledBack.get(b(1))).isNull();
    assertThat(parent.get(b(1))).isEqualTo(b(10));
    assertThat(parent.get(b(2))).isNull();

    ChangeSet kept = parent.child();
    kept.put(b(3), b(30));
    kept.delete(b(1));
    kept.commitInto();
    assertThat(parent.get(b(3))).isEqualTo(b(30));
    assertThat(parent.get(b(1))).isNull();
    assertThat(parent.writes()).containsKey(b(1));
    assertThatThrownBy(parent::commitInto).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void callerMutationsDoNotReachTheBuffer() {
    ChangeSet cs = new ChangeSet(new MapState());
    byte[] key = b(1);
    byte[] value = b(2);
    cs.put(key, value);
    value[0] = 9;
    cs.get(b(1))[0] = 9;
    assertThat(cs.get(b(1))).isEqualTo(b(2));
  }

  private static List<String> collect(StateReader r, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    r.scan(from, to, (k, v) -> out.add(Hex.encode(k) + "=" + Hex.encode(v)));
    return out;
  }

  @Provide
  Arbitrary<List<Tuple3<Integer, Integer, Boolean>>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 15),
            Arbitraries.integers().between(0, 255),
            Arbitraries.of(true, false))
        .as(Tuple::of)
        .list()
        .ofMaxSize(40);
  }

  @Property(tries = 200)
  void scanEqualsAModelTreeMap(
      @ForAll("ops") List<Tuple3<Integer, Integer, Boolean>> baseOps,
      @ForAll("ops") List<Tuple3<Integer, Integer, Boolean>> parentOps,
      @ForAll("ops") List<Tuple3<Integer, Integer, Boolean>> childOps,
      @ForAll boolean commitChild,
      @ForAll("bound") byte[] from,
      @ForAll("bound") byte[] to) {
    MapState base = new MapState();
    TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    for (var op : baseOps) {
      base.put(key(op.get1()), b(op.get2()));
      model.put(key(op.get1()), b(op.get2()));
    }
    ChangeSet cs = new ChangeSet(base);
    apply(cs, parentOps, model);
    ChangeSet child = cs.child();
    TreeMap<byte[], byte[]> childModel = new TreeMap<>(model);
    apply(child, childOps, childModel);
    assertThat(collect(child, from, to)).isEqualTo(render(childModel, from, to));
    if (commitChild) {
      child.commitInto();
      model = childModel;
    }
    assertThat(collect(cs, from, to)).isEqualTo(render(model, from, to));
    for (int k = 0; k < 16; k++) {
      assertThat(cs.get(key(k))).isEqualTo(model.get(key(k)));
    }
  }

  @Provide
  Arbitrary<byte[]> bound() {
    return Arbitraries.integers().between(0, 16).map(ChangeSetTest::key);
  }

  private static byte[] key(int k) {
    // Two-byte keys with a high first byte for some, to exercise unsigned order.
    return b(k % 2 == 0 ? k : 0x80 + k, k);
  }

  private static void apply(
      ChangeSet cs, List<Tuple3<Integer, Integer, Boolean>> ops, TreeMap<byte[], byte[]> model) {
    for (var op : ops) {
      if (op.get3()) {
        cs.delete(key(op.get1()));
        model.remove(key(op.get1()));
      } else {
        cs.put(key(op.get1()), b(op.get2()));
        model.put(key(op.get1()), b(op.get2()));
      }
    }
  }

  private static List<String> render(TreeMap<byte[], byte[]> model, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    if (Arrays.compareUnsigned(from, to) > 0) {
      return out;
    }
    for (Map.Entry<byte[], byte[]> e : model.subMap(from, true, to, false).entrySet()) {
      out.add(Hex.encode(e.getKey()) + "=" + Hex.encode(e.getValue()));
    }
    return out;
  }
}
