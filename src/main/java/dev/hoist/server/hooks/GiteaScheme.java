package dev.hoist.server.hooks;

import java.time.Instant;

/**
 * Gitea and Forgejo: {@code X-Gitea-Signature: <hex HMAC-SHA256 of the raw body>} (no prefix),
 * {@code X-Gitea-Event}, {@code X-Gitea-Delivery}; Forgejo sends the same under its {@code
 * X-Forgejo-} names as well. When Forgejo's signature is present it is the one checked, so a bad
 * one is never rescued by the other header.
 */
final class GiteaScheme implements SignatureScheme {
  @Override
  public Verification verify(HookRequest request, WebhookSecret secret, Instant now) {
    String header =
        request.header("X-Forgejo-Signature").isPresent()
            ? "X-Forgejo-Signature"
            : "X-Gitea-Signature";
    String hex = request.header(header).orElse("");
    if (hex.isEmpty()) {
      return new Verification.Refused("no X-Gitea-Signature header (is the webhook's secret set?)");
    }
    Verification signature =
        SignatureScheme.hexMatches(header, hex, Hmac.sha256(secret.bytes(), request.body()));
    if (signature instanceof Verification.Refused) {
      return signature;
    }
    return new Verification.Verified(
        request.header("X-Gitea-Delivery").or(() -> request.header("X-Forgejo-Delivery")),
        request.header("X-Gitea-Event").or(() -> request.header("X-Forgejo-Event")).orElse(""));
  }
}
