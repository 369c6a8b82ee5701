package dev.hoist.server.hooks;

import java.time.Instant;

/**
 * GitLab. With a {@code whsec_} signing token as the project's secret, the Standard Webhooks
 * signature ({@link StandardWebhooksScheme}) is required and nothing else is accepted; otherwise
 * the secret token in {@code X-Gitlab-Token}, compared as SHA-256 digests in constant time (GitLab
 * sends it as it is; it signs nothing, so TLS between GitLab and the server matters). The event is
 * {@code X-Gitlab-Event} ({@code Push Hook}); the delivery id is {@code webhook-id}, else {@code
 * Idempotency-Key} (the same on GitLab's retries), else {@code X-Gitlab-Event-UUID}.
 */
final class GitLabScheme implements SignatureScheme {
  @Override
  public Verification verify(HookRequest request, WebhookSecret secret, Instant now) {
    String event = request.header("X-Gitlab-Event").orElse("");
    if (secret.standardKey().isPresent()) {
      return switch (new StandardWebhooksScheme().verify(request, secret, now)) {
        case Verification.Verified v -> new Verification.Verified(v.deliveryId(), event);
        case Verification.Refused r -> r;
      };
    }
    String token = request.header("X-Gitlab-Token").orElse("");
    if (token.isEmpty()) {
      return new Verification.Refused(
          "no X-Gitlab-Token header (is the webhook's secret token set?)");
    }
    if (!Hmac.same(Hmac.digest(Hmac.utf8(token)), Hmac.digest(secret.bytes()))) {
      return new Verification.Refused("X-Gitlab-Token is not the project's secret");
    }
    return new Verification.Verified(
        request.header("Idempotency-Key").or(() -> request.header("X-Gitlab-Event-UUID")), event);
  }
}
