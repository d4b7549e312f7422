package io.peerz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * A secret encrypted under a passphrase: scrypt (random 16-byte salt) derives an AES-256 key, and
 * AES-GCM (random 12-byte nonce) encrypts and authenticates the secret together with associated
 * data (the key's name and address), so a sealed key cannot be moved to another name unnoticed.
 */
final class SealedBox {
  static final int SCRYPT_N = 1 << 15;
  static final int SCRYPT_R = 8;
  static final int SCRYPT_P = 1;

  private SealedBox() {}

  static ObjectNode seal(byte[] secret, char[] passphrase, byte[] aad, SecureRandom random) {
    byte[] salt = new byte[16];
    byte[] nonce = new byte[12];
    random.nextBytes(salt);
    random.nextBytes(nonce);
    byte[] key = derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(aad);
      byte[] ct = c.doFinal(secret);
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("kdf", "scrypt");
      n.put("n", SCRYPT_N);
      n.put("r", SCRYPT_R);
      n.put("p", SCRYPT_P);
      n.put("salt", Base64.getEncoder().encodeToString(salt));
      n.put("cipher", "aes-256-gcm");
      n.put("nonce", Base64.getEncoder().encodeToString(nonce));
      n.put("ciphertext", Base64.getEncoder().encodeToString(ct));
      return n;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java 17 runtime", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  /** Decrypts; a wrong passphrase (or tampered file) is a {@link CliException}. */
  static byte[] open(JsonNode sealed, char[] passphrase, byte[] aad, String what) {
    if (!"scrypt".equals(sealed.path("kdf").asText())
        || !"aes-256-gcm".equals(sealed.path("cipher").asText())) {
      throw new CliException(what + ": unsupported encryption " + sealed);
    }
    int n = sealed.path("n").asInt();
    int r = sealed.path("r").asInt();
    int p = sealed.path("p").asInt();
    if (n < 2 || n > (1 << 20) || Integer.bitCount(n) != 1 || r < 1 || r > 32 || p < 1 || p > 16) {
      throw new CliException(what + ": scrypt parameters out of range");
    }
    byte[] key =
        derive(passphrase, Base64.getDecoder().decode(sealed.path("salt").asText()), n, r, p);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(128, Base64.getDecoder().decode(sealed.path("nonce").asText())));
      c.updateAAD(aad);
      return c.doFinal(Base64.getDecoder().decode(sealed.path("ciphertext").asText()));
    } catch (AEADBadTagException e) {
      throw new CliException(what + ": wrong passphrase (or the file was altered)");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new CliException(what + ": cannot decrypt: " + e.getMessage());
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] derive(char[] passphrase, byte[] salt, int n, int r, int p) {
    ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
    byte[] pass = new byte[bb.remaining()];
    bb.get(pass);
    try {
      return SCrypt.generate(pass, salt, n, r, p, 32);
    } finally {
      Arrays.fill(pass, (byte) 0);
      if (bb.hasArray()) {
        Arrays.fill(bb.array(), (byte) 0);
      }
    }
  }
}
