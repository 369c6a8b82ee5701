package dev.hoist.server.hooks;

import java.time.Instant;

/**
 * GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under the secret>},
 * the event in {@code X-GitHub-Event}, the delivery's GUID in {@code X-GitHub-Delivery}
 * (docs.github.com, "Validating webhook deliveries"). The legacy SHA-1 {@code X-Hub-Signature} is
 * not accepted.
 */
final class GitHubScheme implements SignatureScheme {
  @Override
  public Verification verify(HookRequest request, WebhookSecret secret, Instant now) {
    Verification signature =
        SignatureScheme.sha256Header(
            request, "X-Hub-Signature-256", Hmac.sha256(secret.bytes(), request.body()));
    if (signature instanceof Verification.Refused) {
      return signature;
    }
    return new Verification.Verified(
        request.header("X-GitHub-Delivery"), request.header("X-GitHub-Event").orElse(""));
  }
}
