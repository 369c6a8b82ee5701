package dev.hoist.server.hooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** One provider's way of proving a webhook is its own; each checks the raw body's exact bytes. */
sealed interface SignatureScheme
    permits GitHubScheme, GiteaScheme, GitLabScheme, StandardWebhooksScheme, HoistHmacScheme {
  /**
   * How far a signed timestamp may be from the server's clock: Standard Webhooks' recommended five
   * minutes. Older deliveries are replays (or a sender's clock far off).
   */
  Duration TOLERANCE = Duration.ofMinutes(5);

  Verification verify(HookRequest request, WebhookSecret secret, Instant now);

  static SignatureScheme of(Provider provider) {
    return switch (provider) {
      case GITHUB -> new GitHubScheme();
      case GITEA -> new GiteaScheme();
      case GITLAB -> new GitLabScheme();
      case HMAC -> new HoistHmacScheme();
    };
  }

  /** A refusal when {@code header}'s Unix-seconds value is missing or outside the tolerance. */
  static Optional<String> staleTimestamp(HookRequest request, String header, Instant now) {
    Optional<String> value = request.header(header);
    if (value.isEmpty()) {
      return Optional.of("no " + header + " header");
    }
    if (!value.get().matches("[0-9]{1,12}")) {
      return Optional.of(header + " is not Unix seconds");
    }
    Instant sent = Instant.ofEpochSecond(Long.parseLong(value.get()));
    if (Duration.between(sent, now).abs().compareTo(TOLERANCE) > 0) {
      return Optional.of(
          header + " is more than " + TOLERANCE.toMinutes() + " minutes from this server's clock");
    }
    return Optional.empty();
  }

  /** The HMAC in a {@code sha256=<hex>} header, or a refusal naming what is wrong with it. */
  static Verification sha256Header(HookRequest request, String header, byte[] expected) {
    Optional<String> value = request.header(header);
    if (value.isEmpty()) {
      return new Verification.Refused("no " + header + " header (is the webhook's secret set?)");
    }
    if (!value.get().startsWith("sha256=")) {
      return new Verification.Refused(header + " is not of the form sha256=<hex>");
    }
    return hexMatches(header, value.get().substring("sha256=".length()), expected);
  }

  /** Whether a hex signature is {@code expected}, compared in constant time. */
  static Verification hexMatches(String header, String hex, byte[] expected) {
    Optional<byte[]> given = Hmac.hex(hex);
    if (given.isEmpty() || !Hmac.same(given.get(), expected)) {
      return new Verification.Refused(header + " does not match the body and the project's secret");
    }
    return new Verification.Verified(Optional.empty(), "");
  }
}
