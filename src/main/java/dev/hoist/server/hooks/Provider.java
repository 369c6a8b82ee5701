package dev.hoist.server.hooks;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which git host sends a project's webhooks, so which one signature scheme the project accepts: a
 * request signed any other way is refused, never tried against another scheme.
 */
public enum Provider {
  /** {@code X-Hub-Signature-256: sha256=<hex>}, HMAC-SHA256 of the raw body. */
  GITHUB("github"),
  /** Gitea and Forgejo: {@code X-Gitea-Signature: <hex>}, HMAC-SHA256 of the raw body. */
  GITEA("gitea"),
  /**
   * GitLab: {@code X-Gitlab-Token} (the secret itself), or, with a {@code whsec_} signing token,
   * the Standard Webhooks {@code webhook-signature} over {@code id.timestamp.body}.
   */
  GITLAB("gitlab"),
  /**
   * Any sender that can compute an HMAC (a CI job, a script): {@code X-Hoist-Signature:
   * sha256=<hex>} over {@code <X-Hoist-Timestamp>.<body>}.
   */
  HMAC("hmac");

  private final String word;

  Provider(String word) {
    this.word = word;
  }

  /** The word written in server.yml. */
  public String word() {
    return word;
  }

  /** The provider for a server.yml word; {@code forgejo} is Gitea's scheme. */
  public static Optional<Provider> parse(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.equals("forgejo")) {
      return Optional.of(GITEA);
    }
    return Arrays.stream(values()).filter(p -> p.word.equals(lower)).findFirst();
  }
}
