package dev.hoist.server.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SignatureSchemesTest {
  private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);
  private static final byte[] BODY = Signed.utf8("{\"ref\":\"refs/heads/main\"}");
  private static final WebhookSecret SECRET = WebhookSecret.of("s3cret\n");

  private static Verification verify(
      Provider provider,
      WebhookSecret secret,
      Map<String, String> headers,
      byte[] body,
      Instant now) {
    return SignatureScheme.of(provider).verify(new HookRequest(headers, body), secret, now);
  }

  private static Verification verify(Provider provider, Map<String, String> headers) {
    return verify(provider, SECRET, headers, BODY, NOW);
  }

  @Test
  void githubDocumentsThisTestValue() {
    // docs.github.com "Validating webhook deliveries", "Testing the webhook payload validation".
    Verification v =
        verify(
            Provider.GITHUB,
            WebhookSecret.of("It's a Secret to Everybody"),
            Map.of(
                "X-Hub-Signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                "X-GitHub-Event",
                "push",
                "X-GitHub-Delivery",
                "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            Signed.utf8("Hello, World!"),
            NOW);
    assertThat(v)
        .isEqualTo(
            new Verification.Verified(Optional.of("72d3162e-cc78-11e3-81ab-4c9367dc0958"), "push"));
  }

  @Test
  void githubHeaderMustBeSha256PrefixedHexOfTheRawBody() {
    String hex = Signed.hex("s3cret", BODY);
    assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", "sha256=" + hex)))
        .isInstanceOf(Verification.Verified.class);
    assertThat(
            verify(Provider.GITHUB, Map.of("x-hub-signature-256", "sha256=" + hex.toUpperCase())))
        .isInstanceOf(Verification.Verified.class);
    assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", hex)))
        .isEqualTo(new Verification.Refused("X-Hub-Signature-256 is not of the form sha256=<hex>"));
    assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature", "sha1=" + hex)))
        .isEqualTo(
            new Verification.Refused(
                "no X-Hub-Signature-256 header (is the webhook's secret set?)"));
    // The same signature over one changed byte, and signatures wrong at the first or last byte.
    byte[] changed = BODY.clone();
    changed[changed.length - 2] ^= 1;
    assertThat(
            verify(
                Provider.GITHUB,
                SECRET,
                Map.of("X-Hub-Signature-256", "sha256=" + hex),
                changed,
                NOW))
        .isInstanceOf(Verification.Refused.class);
    String first = (hex.charAt(0) == '0' ? "1" : "0") + hex.substring(1);
    String last = hex.substring(0, 63) + (hex.charAt(63) == '0' ? "1" : "0");
    assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", "sha256=" + first)))
        .isInstanceOf(Verification.Refused.class);
    assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", "sha256=" + last)))
        .isInstanceOf(Verification.Refused.class);
    assertThat(verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", "sha256=" + hex.substring(2))))
        .isInstanceOf(Verification.Refused.class);
    assertThat(
            verify(Provider.GITHUB, Map.of("X-Hub-Signature-256", "sha256=zz" + hex.substring(2))))
        .isInstanceOf(Verification.Refused.class);
  }

  @Test
  void giteaSendsBareHexAndForgejoAlsoItsOwnHeader() {
    String hex = Signed.hex("s3cret", BODY);
    assertThat(
            verify(
                Provider.GITEA,
                Map.of(
                    "X-Gitea-Signature", hex, "X-Gitea-Event", "push", "X-Gitea-Delivery", "d1")))
        .isEqualTo(new Verification.Verified(Optional.of("d1"), "push"));
    assertThat(verify(Provider.GITEA, Map.of("X-Gitea-Signature", "sha256=" + hex)))
        .isInstanceOf(Verification.Refused.class);
    assertThat(verify(Provider.GITEA, Map.of()))
        .isEqualTo(
            new Verification.Refused("no X-Gitea-Signature header (is the webhook's secret set?)"));
    // A wrong Forgejo signature is not rescued by a right Gitea one.
    assertThat(
            verify(
                Provider.GITEA,
                Map.of("X-Forgejo-Signature", "00" + hex.substring(2), "X-Gitea-Signature", hex)))
        .isEqualTo(
            new Verification.Refused(
                "X-Forgejo-Signature does not match the body and the project's secret"));
  }

  @Test
  void gitlabTokenIsTheSecretItself() {
    assertThat(
            verify(
                Provider.GITLAB,
                Map.of(
                    "X-Gitlab-Token", "s3cret",
                    "X-Gitlab-Event", "Push Hook",
                    "Idempotency-Key", "k1",
                    "X-Gitlab-Event-UUID", "u1")))
        .isEqualTo(new Verification.Verified(Optional.of("k1"), "Push Hook"));
    assertThat(verify(Provider.GITLAB, Map.of("X-Gitlab-Token", "s3cre")))
        .isEqualTo(new Verification.Refused("X-Gitlab-Token is not the project's secret"));
    assertThat(verify(Provider.GITLAB, Map.of("X-Gitlab-Token", "s3cret!")))
        .isInstanceOf(Verification.Refused.class);
    assertThat(verify(Provider.GITLAB, Map.of()))
        .isEqualTo(
            new Verification.Refused(
                "no X-Gitlab-Token header (is the webhook's secret token set?)"));
  }

  @Test
  void standardWebhooksSpecTestVector() {
    // The test vector of the Standard Webhooks reference libraries.
    WebhookSecret secret = WebhookSecret.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    Map<String, String> headers =
        Map.of(
            "webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "webhook-timestamp", "1614265330",
            "webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            "X-Gitlab-Event", "Push Hook");
    byte[] body = Signed.utf8("{\"test\": 2432232314}");
    assertThat(verify(Provider.GITLAB, secret, headers, body, Instant.ofEpochSecond(1614265330)))
        .isEqualTo(
            new Verification.Verified(Optional.of("msg_p5jXN8AQM9LWM0D4loKWxJek"), "Push Hook"));
    // Six minutes later the same delivery is a replay.
    assertThat(
            verify(Provider.GITLAB, secret, headers, body, Instant.ofEpochSecond(1614265330 + 360)))
        .isEqualTo(
            new Verification.Refused(
                "webhook-timestamp is more than 5 minutes from this server's clock"));
  }

  @Test
  void standardWebhooksAcceptsAnyOfSeveralSignaturesAndRefusesTheToken() {
    String whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    WebhookSecret secret = WebhookSecret.of(whsec);
    String good = Signed.standard(whsec, "msg_1", NOW.getEpochSecond(), BODY);
    Map<String, String> headers =
        Map.of(
            "webhook-id",
            "msg_1",
            "webhook-timestamp",
            Long.toString(NOW.getEpochSecond()),
            "webhook-signature",
            "v1,AAAA v1a,ignored " + good);
    assertThat(verify(Provider.GITLAB, secret, headers, BODY, NOW))
        .isInstanceOf(Verification.Verified.class);
    // The signed id and time: changing either breaks the signature.
    Map<String, String> otherId = new java.util.HashMap<>(headers);
    otherId.put("webhook-id", "msg_2");
    assertThat(verify(Provider.GITLAB, secret, otherId, BODY, NOW))
        .isInstanceOf(Verification.Refused.class);
    // With a signing secret, GitLab's plain token is not enough, even if it is the secret.
    assertThat(verify(Provider.GITLAB, secret, Map.of("X-Gitlab-Token", whsec), BODY, NOW))
        .isEqualTo(new Verification.Refused("no webhook-id header"));
  }

  @Test
  void genericHmacSignsIdTimeAndBody() {
    long ts = NOW.getEpochSecond();
    String signature =
        "sha256=" + Signed.hex("s3cret", Signed.concat(Signed.utf8("ci-42." + ts + "."), BODY));
    Map<String, String> headers =
        Map.of(
            "X-Hoist-Signature",
            signature,
            "X-Hoist-Delivery",
            "ci-42",
            "X-Hoist-Timestamp",
            Long.toString(ts),
            "X-Hoist-Event",
            "push");
    assertThat(verify(Provider.HMAC, headers))
        .isEqualTo(new Verification.Verified(Optional.of("ci-42"), "push"));
    Map<String, String> later = new java.util.HashMap<>(headers);
    later.put("X-Hoist-Timestamp", Long.toString(ts + 1));
    assertThat(verify(Provider.HMAC, later)).isInstanceOf(Verification.Refused.class);
    assertThat(verify(Provider.HMAC, SECRET, headers, BODY, NOW.plusSeconds(301)))
        .isEqualTo(
            new Verification.Refused(
                "X-Hoist-Timestamp is more than 5 minutes from this server's clock"));
    assertThat(verify(Provider.HMAC, Map.of("X-Hoist-Signature", signature)))
        .isEqualTo(new Verification.Refused("no X-Hoist-Delivery header"));
  }

  @Test
  void aSchemeNeverAcceptsAnotherProvidersHeaders() {
    String hex = Signed.hex("s3cret", BODY);
    assertThat(
            verify(Provider.GITHUB, Map.of("X-Gitea-Signature", hex, "X-Gitlab-Token", "s3cret")))
        .isInstanceOf(Verification.Refused.class);
    assertThat(verify(Provider.GITLAB, Map.of("X-Hub-Signature-256", "sha256=" + hex)))
        .isInstanceOf(Verification.Refused.class);
  }
}
