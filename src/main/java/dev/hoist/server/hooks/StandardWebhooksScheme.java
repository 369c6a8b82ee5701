package dev.hoist.server.hooks;

import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Standard Webhooks (standardwebhooks.com, and GitLab's signing token): {@code webhook-signature}
 * holds space-separated {@code v1,<base64>} entries, each an HMAC-SHA256 of {@code
 * <webhook-id>.<webhook-timestamp>.<raw body>} under the base64-decoded part of a {@code
 * whsec_<base64>} secret; one match passes. The timestamp must be within five minutes of now, so a
 * captured delivery cannot be replayed later.
 */
final class StandardWebhooksScheme implements SignatureScheme {
  @Override
  public Verification verify(HookRequest request, WebhookSecret secret, Instant now) {
    Optional<byte[]> key = secret.standardKey();
    if (key.isEmpty()) {
      return new Verification.Refused("the project's secret is not a whsec_ signing secret");
    }
    Optional<String> id = request.header("webhook-id");
    Optional<String> signatures = request.header("webhook-signature");
    if (id.isEmpty() || signatures.isEmpty()) {
      return new Verification.Refused(
          "no " + (id.isEmpty() ? "webhook-id" : "webhook-signature") + " header");
    }
    Optional<String> stale = SignatureScheme.staleTimestamp(request, "webhook-timestamp", now);
    if (stale.isPresent()) {
      return new Verification.Refused(stale.get());
    }
    byte[] expected =
        Hmac.sha256(
            key.get(),
            Hmac.utf8(id.get() + "." + request.header("webhook-timestamp").orElseThrow() + "."),
            request.body());
    // Every entry is compared (no early exit), so the time says nothing about which one matched.
    boolean matched = false;
    for (String entry : signatures.get().split(" ")) {
      if (entry.startsWith("v1,") && Hmac.same(decode(entry.substring(3)), expected)) {
        matched = true;
      }
    }
    if (!matched) {
      return new Verification.Refused(
          "webhook-signature has no v1 signature that matches the body and the project's secret");
    }
    return new Verification.Verified(id, "");
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }
}
