package io.peerz.ledger;

import com.google.protobuf.ByteString;
import io.peerz.ledger.proto.Block;
import io.peerz.ledger.proto.BlockResults;
import io.peerz.ledger.proto.Commit;
import io.peerz.ledger.proto.Header;
import io.peerz.ledger.proto.TxResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic chain for crash tests: what each height appends and commits depends only on the
 * height, so a run that is killed and resumed must end where an uninterrupted run ends.
 */
final class CommitScript {
  private CommitScript() {}

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<byte[]> txs(long h) {
    return List.of(b("tx-" + h + "-0"), b("tx-" + h + "-1"));
  }

  static Block block(long h) {
    Block.Builder block =
        Block.newBuilder().setHeader(Header.newBuilder().setChainId("crash").setHeight(h));
    txs(h).forEach(tx -> block.addTxs(ByteString.copyFrom(tx)));
    return block.build();
  }

  /** Appends (again, if it is already there) and commits height {@code h}. */
  static void commitHeight(LedgerDb db, long h) {
    db.blocks().append(block(h), Commit.newBuilder().setHeight(h).build());
    ChangeSet cs = new ChangeSet(db.state());
    cs.put(b("height"), b(Long.toString(h)));
    for (int j = 0; j < 5; j++) {
      cs.put(b("k" + ((h * 31 + j * 17) % 200)), b("v" + h + "-" + j));
    }
    if (h % 3 == 0) {
      cs.delete(b("k" + ((h * 13) % 200)));
    }
    BlockResults.Builder results = BlockResults.newBuilder();
    List<byte[]> txs = new ArrayList<>(txs(h));
    for (int i = 0; i < txs.size(); i++) {
      results.addTxResults(
          TxResult.newBuilder()
              .addEvents(BlockStoreTest.event("transfer", "recipient", "r" + (h % 5), true)));
    }
    db.commit(db.state().stage(h, cs), results.build(), txs);
  }

  /** Child process: commits heights after the stored one until killed, printing each. */
  public static void main(String[] args) {
    try (LedgerDb db = LedgerDb.open(Path.of(args[0]))) {
      for (long h = db.state().height() + 1; ; h++) {
        commitHeight(db, h);
        System.out.println("committed " + h);
        System.out.flush();
      }
    }
  }
}
