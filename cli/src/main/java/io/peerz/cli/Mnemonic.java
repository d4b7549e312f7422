package io.peerz.cli;

import io.peerz.ledger.Sha256;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A BIP-39 mnemonic in the English word list: entropy plus a SHA-256 checksum written as words of
 * 11 bits, and the seed that PBKDF2-HMAC-SHA512 derives from it. Not a record, so that its words
 * never appear in a {@code toString} or a log line.
 */
final class Mnemonic {
  /** The word counts BIP-39 defines: 128 to 256 bits of entropy in steps of 32. */
  static final List<Integer> WORD_COUNTS = List.of(12, 15, 18, 21, 24);

  /** peerz writes 24 words: 256 bits of entropy, as much as the Ed25519 key it becomes. */
  static final int ENTROPY_BYTES = 32;

  static final String WORD_LIST_RESOURCE = "bip39-english.txt";

  private static final int PBKDF2_ROUNDS = 2048;

  private final List<String> words;

  private Mnemonic(List<String> words) {
    this.words = List.copyOf(words);
  }

  /** A new 24-word mnemonic from 256 bits of {@code random}. */
  static Mnemonic generate(SecureRandom random) {
    byte[] entropy = new byte[ENTROPY_BYTES];
    random.nextBytes(entropy);
    try {
      return fromEntropy(entropy);
    } finally {
      Arrays.fill(entropy, (byte) 0);
    }
  }

  /** The mnemonic of 16 to 32 bytes of entropy (a multiple of 4), as BIP-39 writes it. */
  static Mnemonic fromEntropy(byte[] entropy) {
    if (entropy.length < 16 || entropy.length > 32 || entropy.length % 4 != 0) {
      throw new IllegalArgumentException(
          "BIP-39 entropy is 16, 20, 24, 28 or 32 bytes, got " + entropy.length);
    }
    int entropyBits = entropy.length * 8;
    int checksumBits = entropyBits / 32;
    byte[] checksum = Sha256.hash(entropy);
    List<String> list = WordList.WORDS;
    List<String> out = new ArrayList<>();
    for (int w = 0; w < (entropyBits + checksumBits) / 11; w++) {
      int index = 0;
      for (int b = 0; b < 11; b++) {
        int bit = w * 11 + b;
        boolean set = bit < entropyBits ? bit(entropy, bit) : bit(checksum, bit - entropyBits);
        index = (index << 1) | (set ? 1 : 0);
      }
      out.add(list.get(index));
    }
    return new Mnemonic(out);
  }

  /**
   * Reads a mnemonic typed by a person: words separated by any white space, in any case. Refuses,
   * naming what is wrong, a word count BIP-39 does not define, each word not in the English list
   * (with the closest word that is), and a checksum that does not match.
   */
  static Mnemonic parse(String phrase) {
    String normalized =
        Normalizer.normalize(phrase, Normalizer.Form.NFKD).trim().toLowerCase(Locale.ROOT);
    List<String> typed = normalized.isEmpty() ? List.of() : List.of(normalized.split("\\s+"));
    if (!WORD_COUNTS.contains(typed.size())) {
      throw new CliException(
          "the mnemonic has "
              + typed.size()
              + (typed.size() == 1 ? " word" : " words")
              + "; a BIP-39 mnemonic has 12, 15, 18, 21 or 24 (peerz writes 24)");
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < typed.size(); i++) {
      String w = typed.get(i);
      if (!WordList.INDEX.containsKey(w)) {
        problems.add(
            "word "
                + (i + 1)
                + " '"
                + w
                + "' is not in the BIP-39 English word list"
                + EditDistance.closest(w, WordList.WORDS, Math.max(2, w.length() / 2))
                    .map(c -> " (did you mean '" + c + "'?)")
                    .orElse(""));
      }
    }
    if (!problems.isEmpty()) {
      throw new CliException(String.join("; ", problems));
    }
    Mnemonic m = new Mnemonic(typed);
    byte[] entropy = m.entropyOrNull();
    if (entropy == null) {
      throw new CliException(
          "the mnemonic's checksum does not match: every word is in the list, so one is a"
              + " different word than written down, or two are swapped");
    }
    Arrays.fill(entropy, (byte) 0);
    return m;
  }

  /** The entropy the words encode (the checksum was checked when the mnemonic was made). */
  byte[] entropy() {
    byte[] e = entropyOrNull();
    if (e == null) {
      throw new IllegalStateException("a Mnemonic is only made with a valid checksum");
    }
    return e;
  }

  /** The words joined by single spaces: what to write down. */
  String phrase() {
    return String.join(" ", words);
  }

  int size() {
    return words.size();
  }

  /**
   * The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512 of the NFKD phrase, salted with "mnemonic" and the
   * NFKD passphrase ("" for none), 2048 rounds.
   */
  byte[] seed(String passphrase) {
    byte[] password = utf8Nfkd(phrase());
    byte[] salt = utf8Nfkd("mnemonic" + (passphrase == null ? "" : passphrase));
    PKCS5S2ParametersGenerator pbkdf2 = new PKCS5S2ParametersGenerator(new SHA512Digest());
    pbkdf2.init(password, salt, PBKDF2_ROUNDS);
    try {
      return ((KeyParameter) pbkdf2.generateDerivedParameters(512)).getKey();
    } finally {
      Arrays.fill(password, (byte) 0);
      Arrays.fill(salt, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "Mnemonic[" + words.size() + " words]";
  }

  private byte[] entropyOrNull() {
    int totalBits = words.size() * 11;
    int entropyBits = totalBits * 32 / 33;
    byte[] bits = new byte[(totalBits + 7) / 8];
    for (int w = 0; w < words.size(); w++) {
      int index = WordList.INDEX.get(words.get(w));
      for (int b = 0; b < 11; b++) {
        if ((index & (1 << (10 - b))) != 0) {
          int bit = w * 11 + b;
          bits[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
      }
    }
    byte[] entropy = Arrays.copyOf(bits, entropyBits / 8);
    byte[] checksum = Sha256.hash(entropy);
    for (int b = 0; b < totalBits - entropyBits; b++) {
      if (bit(bits, entropyBits + b) != bit(checksum, b)) {
        Arrays.fill(entropy, (byte) 0);
        return null;
      }
    }
    return entropy;
  }

  private static boolean bit(byte[] bytes, int bit) {
    return (bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0;
  }

  private static byte[] utf8Nfkd(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFKD).getBytes(StandardCharsets.UTF_8);
  }

  /** The English list of BIP-39, loaded once when a mnemonic is first made or read. */
  private static final class WordList {
    static final List<String> WORDS = load();
    static final Map<String, Integer> INDEX = index(WORDS);

    private static List<String> load() {
      try (InputStream in = Mnemonic.class.getResourceAsStream(WORD_LIST_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(WORD_LIST_RESOURCE + " is missing from the peerz jar");
        }
        List<String> words =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .toList();
        if (words.size() != 2048) {
          throw new IllegalStateException(
              WORD_LIST_RESOURCE + " has " + words.size() + " words, not 2048");
        }
        return words;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static Map<String, Integer> index(List<String> words) {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < words.size(); i++) {
        index.put(words.get(i), i);
      }
      return Map.copyOf(index);
    }
  }
}
