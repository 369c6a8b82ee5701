package dev.hoist.server.hooks;

import java.time.Instant;
import java.util.Optional;

/**
 * The generic form, for any sender that can compute an HMAC (a CI job, a script with openssl):
 * {@code X-Hoist-Signature: sha256=<hex HMAC-SHA256 of "<X-Hoist-Delivery>.<X-Hoist-Timestamp>.<raw
 * body>">}, the event in {@code X-Hoist-Event} (push or ping). The id and the time are signed with
 * the body, as in Standard Webhooks, so a delivery cannot be replayed under a new id or later than
 * five minutes.
 */
final class HoistHmacScheme implements SignatureScheme {
  @Override
  public Verification verify(HookRequest request, WebhookSecret secret, Instant now) {
    Optional<String> id = request.header("X-Hoist-Delivery");
    if (id.isEmpty()) {
      return new Verification.Refused("no X-Hoist-Delivery header");
    }
    Optional<String> stale = SignatureScheme.staleTimestamp(request, "X-Hoist-Timestamp", now);
    if (stale.isPresent()) {
      return new Verification.Refused(stale.get());
    }
    byte[] signed =
        Hmac.sha256(
            secret.bytes(),
            Hmac.utf8(id.get() + "." + request.header("X-Hoist-Timestamp").orElseThrow() + "."),
            request.body());
    Verification signature = SignatureScheme.sha256Header(request, "X-Hoist-Signature", signed);
    if (signature instanceof Verification.Refused) {
      return signature;
    }
    return new Verification.Verified(id, request.header("X-Hoist-Event").orElse(""));
  }
}
