package dev.hoist.server.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Makes API tokens and checks bearer tokens against the stored ones.
 *
 * <p>A token is {@code hoist_} and 32 random bytes (256 bits, from {@link SecureRandom}) in
 * base64url. Only its SHA-256 is stored. A fast hash is the right one here: slow hashes (bcrypt,
 * scrypt, Argon2) exist to make guessing a low-entropy password expensive, but a 256-bit random
 * secret cannot be guessed at any hash speed, and a slow hash would cost every API request ~100 ms
 * of CPU. A leaked store gives hashes from which no token can be made.
 *
 * <p>A presented token's hash is compared with every stored hash with {@link MessageDigest#isEqual}
 * and no early exit, so the time taken says nothing about which one matched or how close a guess
 * was.
 */
public final class Tokens {
  public static final String PREFIX = "hoist_";
  private static final int SECRET_BYTES = 32;
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern TOKEN = Pattern.compile("hoist_[A-Za-z0-9_-]{43}");

  private Tokens() {}

  /**
   * A new token named {@code name}.
   *
   * @throws IllegalArgumentException if the name is not lowercase letters, digits, '.', '_', '-'
   */
  public static NewToken create(String name, Scope scope, Instant now, SecureRandom random) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a token name is lowercase letters, digits, '.', '_' and '-' (e.g. ci or alice), found '"
              + name
              + "'");
    }
    byte[] bytes = new byte[SECRET_BYTES];
    random.nextBytes(bytes);
    String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return new NewToken(new ApiToken(name, scope, sha256(secret), now), secret);
  }

  /**
   * Who may do what {@code needed} guards, from an {@code Authorization} header's value.
   *
   * @param header the header as sent ({@code Bearer hoist_...}), or empty
   */
  public static Authorization authorize(
      Optional<String> header, Scope needed, List<ApiToken> known) {
    if (header.isEmpty() || !header.get().startsWith("Bearer ")) {
      return new Authorization.Unauthenticated(
          "no bearer token: send 'Authorization: Bearer hoist_...' (hoist server token create)");
    }
    String presented = header.get().substring("Bearer ".length()).trim();
    Optional<ApiToken> token =
        TOKEN.matcher(presented).matches() ? find(presented, known) : Optional.empty();
    if (token.isEmpty()) {
      return new Authorization.Unauthenticated("the bearer token is not known");
    }
    if (!token.get().scope().allows(needed)) {
      return new Authorization.Forbidden(token.get(), needed);
    }
    return new Authorization.Allowed(token.get());
  }

  private static Optional<ApiToken> find(String presented, List<ApiToken> known) {
    byte[] hash = HexFormat.of().parseHex(sha256(presented));
    ApiToken found = null;
    for (ApiToken token : known) {
      if (MessageDigest.isEqual(hash, HexFormat.of().parseHex(token.sha256()))) {
        found = token;
      }
    }
    return Optional.ofNullable(found);
  }

  static String sha256(String secret) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(secret.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
