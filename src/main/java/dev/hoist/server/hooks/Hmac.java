package dev.hoist.server.hooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 and the comparisons every scheme uses: constant-time, never {@code equals}. */
final class Hmac {
  private Hmac() {}

  /** HMAC-SHA256 under {@code key} of the parts, one after the other. */
  static byte[] sha256(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  /**
   * Whether {@code given} equals {@code expected}, in time that depends only on the length of
   * {@code given} (the sender's), not on where they differ ({@link MessageDigest#isEqual}).
   */
  static boolean same(byte[] given, byte[] expected) {
    return MessageDigest.isEqual(given, expected);
  }

  /** Lowercase or uppercase hex as bytes; empty when it is not hex. */
  static Optional<byte[]> hex(String text) {
    try {
      return Optional.of(HexFormat.of().parseHex(text.toLowerCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * SHA-256 of {@code bytes}: tokens compared as digests have equal lengths, so no length leaks.
   */
  static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
