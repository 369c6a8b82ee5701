package dev.hoist.tls;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The certificate a node serves and the ACME runner's last attempt there, from the agent's {@code
 * tls} probe: what status shows, what check judges, and what tells a deploy to get a certificate.
 */
public record CertStatus(Optional<Cert> cert, Optional<Attempt> lastAttempt) {
  /** Renewals start this long before expiry (the runner's renew_before_days). */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /** The served certificate (the chain's first). */
  public record Cert(List<String> names, String issuer, Instant notBefore, Instant notAfter) {
    public Cert {
      names = List.copyOf(names);
    }

    public long daysLeft(Instant now) {
      return Math.floorDiv(Duration.between(now, notAfter).toSeconds(), 86_400L);
    }

    public boolean covers(List<String> hosts) {
      return hosts.stream().allMatch(h -> Certificates.covers(names, h));
    }
  }

  /** The runner's last attempt: when, whether it worked, its message, and the backoff. */
  public record Attempt(
      Instant at, boolean ok, String message, int failures, Optional<Instant> nextAttempt) {}

  public static CertStatus from(JsonNode probe) {
    Optional<Cert> cert =
        probe.path("cert").isTextual()
            ? Certificates.leaf(probe.path("cert").asText()).map(CertStatus::cert)
            : Optional.empty();
    JsonNode s = probe.path("state");
    Optional<Attempt> attempt = Optional.empty();
    if (s.isObject() && s.path("last_attempt").isNumber()) {
      attempt =
          Optional.of(
              new Attempt(
                  Instant.ofEpochSecond(s.path("last_attempt").asLong()),
                  s.path("ok").asBoolean(false),
                  s.path("message").asText(""),
                  s.path("failures").asInt(0),
                  s.path("next_attempt").isNumber()
                      ? Optional.of(Instant.ofEpochSecond(s.path("next_attempt").asLong()))
                      : Optional.empty()));
    }
    return new CertStatus(cert, attempt);
  }

  private static Cert cert(X509Certificate x) {
    return new Cert(
        Certificates.dnsNames(x),
        Certificates.issuer(x),
        x.getNotBefore().toInstant(),
        x.getNotAfter().toInstant());
  }

  /**
   * Why the node needs a (new) certificate for {@code hosts} now, or empty: none yet, names not
   * covered, or within {@link #RENEW_BEFORE} of expiry.
   */
  public Optional<String> needed(List<String> hosts, Instant now) {
    if (cert.isEmpty()) {
      return Optional.of("no certificate yet");
    }
    if (!cert.get().covers(hosts)) {
      return Optional.of(
          "the certificate covers " + String.join(", ", cert.get().names()) + ", not every name");
    }
    if (now.plus(RENEW_BEFORE).isAfter(cert.get().notAfter())) {
      return Optional.of("the certificate expires in " + cert.get().daysLeft(now) + " days");
    }
    return Optional.empty();
  }

  /** When a failed attempt's backoff ends, if it has not yet. */
  public Optional<Instant> backoffUntil(Instant now) {
    return lastAttempt
        .filter(a -> !a.ok())
        .flatMap(Attempt::nextAttempt)
        .filter(next -> next.isAfter(now));
  }
}
