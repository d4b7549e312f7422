package io.peerz.p2p;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * ChaCha20-Poly1305 for one direction of a connection. The nonce is a counter (4 zero bytes, then
 * the frame number as 8 little-endian bytes), so a replayed, dropped or reordered frame fails to
 * open. Not thread-safe: each connection uses it from its own event loop.
 */
final class FrameCipher {
  static final int TAG_BYTES = 16;

  private final KeyParameter key;
  private long counter;

  FrameCipher(byte[] key) {
    if (key.length != SessionKeys.KEY_BYTES) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 keys have 32 bytes");
    }
    this.key = new KeyParameter(key);
  }

  /** Encrypts and authenticates the next frame. */
  byte[] seal(byte[] plaintext) {
    ChaCha20Poly1305 aead = next(true);
    byte[] out = new byte[aead.getOutputSize(plaintext.length)];
    int n = aead.processBytes(plaintext, 0, plaintext.length, out, 0);
    try {
      aead.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("sealing cannot fail", e);
    }
    return out;
  }

  /**
   * Opens the next frame.
   *
   * @throws PeerProtocolException with reason {@code bad_frame} when it fails authentication
   */
  byte[] open(byte[] sealed) {
    if (sealed.length < TAG_BYTES) {
      throw new PeerProtocolException("bad_frame", "frame shorter than its tag");
    }
    ChaCha20Poly1305 aead = next(false);
    byte[] out = new byte[aead.getOutputSize(sealed.length)];
    int n = aead.processBytes(sealed, 0, sealed.length, out, 0);
    try {
      aead.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new PeerProtocolException("bad_frame", "frame failed authentication");
    }
    return out;
  }

  private ChaCha20Poly1305 next(boolean forEncryption) {
    if (counter == -1L) {
      // 2^64 frames: never in practice, but a wrapped nonce would reuse a key stream.
      throw new IllegalStateException("frame counter exhausted");
    }
    byte[] nonce = new byte[12];
    long c = counter++;
    for (int i = 0; i < 8; i++) {
      nonce[4 + i] = (byte) (c >>> (8 * i));
    }
    ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    aead.init(forEncryption, new AEADParameters(key, TAG_BYTES * 8, nonce));
    return aead;
  }
}
