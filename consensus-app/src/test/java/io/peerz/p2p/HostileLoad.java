package io.peerz.p2p;

import com.google.protobuf.ByteString;
import io.peerz.ledger.Ed25519KeyPair;
import io.peerz.p2p.proto.Admission;
import io.peerz.p2p.proto.AuthSignature;
import io.peerz.p2p.proto.ChannelMessage;
import io.peerz.p2p.proto.Packet;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attacker of testnet/hostile-bench.sh (not a test): hostile p2p peers that present the chain
 * id and then announce 16 MiB frames, send bytes that do not decode on known channels, or hold a
 * block-sized message half sent; and websocket clients that send one message in ever more
 * fragments. Each reconnects with a fresh key when the node drops it, until the duration is over.
 * Prints what the node did to them as key=value lines.
 *
 * <pre>
 * java -cp ... io.peerz.p2p.HostileLoad --p2p HOST:PORT --node-id ID --chain-id C
 *     --rpc HOST:PORT [--peers 300] [--websockets 20] [--duration 60]
 * </pre>
 */
public final class HostileLoad {
  private static final int FRAME = 16 << 20;
  private static final int PACKET_PAYLOAD = 60_000;
  private static final int WS_FRAGMENT = 64 * 1024;

  private final String p2pHost;
  private final int p2pPort;
  private final String nodeId;
  private final String chainId;
  private final String rpc;
  private final long deadline;

  private final AtomicLong dials = new AtomicLong();
  private final AtomicLong refusedBeforeHandshake = new AtomicLong();
  private final AtomicLong admitted = new AtomicLong();
  private final AtomicLong refusedAfterHandshake = new AtomicLong();
  private final AtomicLong droppedAfterAdmission = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong wsConnections = new AtomicLong();
  private final AtomicLong wsClosed1009 = new AtomicLong();
  private final AtomicLong wsOtherEnds = new AtomicLong();
  private final AtomicLong wsBytes = new AtomicLong();

  private HostileLoad(String p2p, String nodeId, String chainId, String rpc, long seconds) {
    int colon = p2p.lastIndexOf(':');
    this.p2pHost = p2p.substring(0, colon);
    this.p2pPort = Integer.parseInt(p2p.substring(colon + 1));
    this.nodeId = nodeId;
    this.chainId = chainId;
    this.rpc = rpc;
    this.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  public static void main(String[] args) throws Exception {
    String p2p = null;
    String id = null;
    String chain = null;
    String rpc = null;
    int peers = 300;
    int sockets = 20;
    long seconds = 60;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--p2p" -> p2p = args[i + 1];
        case "--node-id" -> id = args[i + 1];
        case "--chain-id" -> chain = args[i + 1];
        case "--rpc" -> rpc = args[i + 1];
        case "--peers" -> peers = Integer.parseInt(args[i + 1]);
        case "--websockets" -> sockets = Integer.parseInt(args[i + 1]);
        case "--duration" -> seconds = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (p2p == null || id == null || chain == null || rpc == null) {
      System.err.println(
          "usage: HostileLoad --p2p HOST:PORT --node-id ID --chain-id C --rpc HOST:PORT"
              + " [--peers 300] [--websockets 20] [--duration 60]");
      System.exit(2);
    }
    new HostileLoad(p2p, id, chain, rpc, seconds).run(peers, sockets);
  }

  private boolean over() {
    return System.nanoTime() - deadline >= 0;
  }

  private void run(int peers, int sockets) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < peers; i++) {
      int kind = i % 3;
      long seed = i;
      threads.add(start("hostile-peer-" + i, () -> peerLoop(kind, seed)));
    }
    for (int i = 0; i < sockets; i++) {
      threads.add(start("hostile-ws-" + i, this::websocketLoop));
    }
    while (!over()) {
      report("progress");
      TimeUnit.SECONDS.sleep(10);
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    report("final");
    System.exit(0);
  }

  private static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void report(String what) {
    System.out.printf(
        "hostile %s dials=%d refused_before_handshake=%d refused_after_handshake=%d admitted=%d"
            + " dropped_after_admission=%d p2p_bytes_sent=%d ws_connections=%d ws_closed_1009=%d"
            + " ws_other_ends=%d ws_bytes_sent=%d%n",
        what,
        dials.get(),
        refusedBeforeHandshake.get(),
        refusedAfterHandshake.get(),
        admitted.get(),
        droppedAfterAdmission.get(),
        bytesSent.get(),
        wsConnections.get(),
        wsClosed1009.get(),
        wsOtherEnds.get(),
        wsBytes.get());
  }

  /** One hostile peer: connects, misbehaves as {@code kind} says, and again once dropped. */
  private void peerLoop(int kind, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    while (!over()) {
      byte[] keySeed = new byte[32];
      random.nextBytes(keySeed);
      dials.incrementAndGet();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(p2pHost, p2pPort), 5_000);
        socket.setSoTimeout(10_000);
        Session s = new Session(Ed25519KeyPair.fromSeed(keySeed), socket);
        if (!s.handshake()) {
          continue;
        }
        admitted.incrementAndGet();
        switch (kind) {
          case 0 -> s.announceHugeFrame();
          case 1 -> s.sendGarbage(random);
          default -> s.holdHalfABlock();
        }
        droppedAfterAdmission.incrementAndGet();
      } catch (IOException e) {
        // Refused or dropped: the node did its job; dial again (after a pause, so that 300 peers
        // refused at once do not spin).
        pause(200);
      }
    }
  }

  private static void pause(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The wire protocol spoken by hand (see SecretConnectionHandler). */
  private final class Session {
    private final Ed25519KeyPair key;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private FrameCipher send;

    Session(Ed25519KeyPair key, Socket socket) throws IOException {
      this.key = key;
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = new DataOutputStream(socket.getOutputStream());
    }

    private void frame(byte[] body) throws IOException {
      out.writeInt(body.length);
      out.write(body);
      out.flush();
      bytesSent.addAndGet(4L + body.length);
    }

    private byte[] readFrame() throws IOException {
      byte[] body = new byte[in.readInt()];
      in.readFully(body);
      return body;
    }

    /** True once admitted; false (counted) when the node refused this peer. */
    boolean handshake() throws IOException {
      byte[] ephemeral = SessionKeys.newEphemeralPrivate(new SecureRandom());
      try {
        frame(SessionKeys.ephemeralPublic(ephemeral));
        SessionKeys keys = SessionKeys.derive(ephemeral, readFrame());
        send = new FrameCipher(keys.sendKey());
        FrameCipher receive = new FrameCipher(keys.receiveKey());
        byte[] signed = SessionKeys.authMessage(keys.challenge(), chainId);
        frame(
            send.seal(
                AuthSignature.newBuilder()
                    .setPubKey(ByteString.copyFrom(key.publicKey()))
                    .setSignature(ByteString.copyFrom(key.sign(signed)))
                    .setChainId(chainId)
                    .build()
                    .toByteArray()));
        receive.open(readFrame());
        String id = NodeId.of(key.publicKey());
        if (id.compareTo(nodeId) < 0) {
          frame(
              send.seal(
                  Packet.newBuilder()
                      .setAdmission(Admission.newBuilder().setAccepted(true))
                      .build()
                      .toByteArray()));
          // The node closes at once when its inbound slots are full: a read tells.
          socket.setSoTimeout(300);
          try {
            if (in.read() < 0) {
              refusedAfterHandshake.incrementAndGet();
              return false;
            }
          } catch (java.net.SocketTimeoutException stillOpen) {
            // kept
          } finally {
            socket.setSoTimeout(10_000);
          }
          return true;
        }
        Packet admission = Packet.parseFrom(receive.open(readFrame()));
        if (!admission.getAdmission().getAccepted()) {
          refusedAfterHandshake.incrementAndGet();
          return false;
        }
        return true;
      } catch (java.io.EOFException | java.net.SocketException e) {
        refusedBeforeHandshake.incrementAndGet();
        return false;
      }
    }

    /** Issue 15's attack: a 16 MiB frame announced, then all but one of its bytes. */
    void announceHugeFrame() throws IOException {
      out.writeInt(FRAME);
      byte[] chunk = new byte[64 * 1024];
      for (int sent = 0; sent < FRAME - 1 && !over(); sent += chunk.length) {
        out.write(chunk, 0, Math.min(chunk.length, FRAME - 1 - sent));
        bytesSent.addAndGet(chunk.length);
      }
      out.flush();
      holdUntilClosed();
    }

    /** Random bytes on the channels a node reads, a message every 50 ms. */
    void sendGarbage(SplittableRandom random) throws IOException {
      int[] channels = {
        P2pChannels.CONSENSUS_STATE,
        P2pChannels.CONSENSUS_DATA,
        P2pChannels.CONSENSUS_VOTE,
        P2pChannels.MEMPOOL,
        P2pChannels.BLOCK_SYNC
      };
      while (!over()) {
        byte[] junk = new byte[1 + random.nextInt(1024)];
        random.nextBytes(junk);
        packet(channels[random.nextInt(channels.length)], junk, false);
        pause(50);
      }
    }

    /** A block message sent in packets up to 8 MiB, then held: memory the node must not keep. */
    void holdHalfABlock() throws IOException {
      byte[] payload = new byte[PACKET_PAYLOAD];
      for (int sent = 0; sent < (8 << 20) && !over(); sent += payload.length) {
        packet(P2pChannels.CONSENSUS_DATA, payload, true);
      }
      holdUntilClosed();
    }

    private void packet(int channel, byte[] payload, boolean more) throws IOException {
      frame(
          send.seal(
              Packet.newBuilder()
                  .setMessage(
                      ChannelMessage.newBuilder()
                          .setChannel(channel)
                          .setPayload(ByteString.copyFrom(payload))
                          .setMore(more))
                  .build()
                  .toByteArray()));
    }

    /** Reads (and ignores) what the node sends until it closes the socket or time is up. */
    private void holdUntilClosed() throws IOException {
      socket.setSoTimeout(1_000);
      byte[] sink = new byte[8192];
      while (!over()) {
        try {
          if (in.read(sink) < 0) {
            return;
          }
        } catch (java.net.SocketTimeoutException e) {
          // still open: keep holding
        }
      }
    }
  }

  /** One websocket client: a request in 64 KiB fragments that never ends, until the node closes. */
  private void websocketLoop() {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String fragment = " ".repeat(WS_FRAGMENT);
    while (!over()) {
      CompletableFuture<Integer> closed = new CompletableFuture<>();
      WebSocket ws;
      try {
        ws =
            client
                .newWebSocketBuilder()
                .buildAsync(
                    URI.create("ws://" + rpc + "/websocket"),
                    new WebSocket.Listener() {
                      @Override
                      public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code);
                        return null;
                      }

                      @Override
                      public void onError(WebSocket w, Throwable error) {
                        closed.complete(-1);
                      }
                    })
                .get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        wsOtherEnds.incrementAndGet();
        pause(200);
        continue;
      }
      wsConnections.incrementAndGet();
      try {
        ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\",\"pad\":\"", false)
            .get(10, TimeUnit.SECONDS);
        while (!closed.isDone() && !over()) {
          ws.sendText(fragment, false).get(10, TimeUnit.SECONDS);
          wsBytes.addAndGet(WS_FRAGMENT);
        }
      } catch (Exception e) {
        // the node closed the socket under the sender
      }
      int code;
      try {
        code = closed.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        code = 0;
      }
      if (code == 1009) {
        wsClosed1009.incrementAndGet();
      } else {
        wsOtherEnds.incrementAndGet();
      }
      ws.abort();
    }
  }
}
