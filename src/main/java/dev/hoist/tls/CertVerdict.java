package dev.hoist.tls;

import dev.hoist.project.Spec;
import dev.hoist.project.TlsSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How a node's certificate stands, as {@code hoist check} judges it: CRITICAL under {@value
 * #CRITICAL_DAYS} days, expired, not covering every name, or missing when it is the user's own
 * file; WARNING under {@value #WARNING_DAYS} days, after a failed renewal, or while an ACME app
 * waits for its first certificate; OK otherwise.
 */
public record CertVerdict(State state, String message, OptionalLong daysLeft) {
  public static final int WARNING_DAYS = 14;
  public static final int CRITICAL_DAYS = 3;

  /**
   * Nagios's states that a certificate can be in (UNKNOWN is the node's, not the certificate's).
   */
  public enum State {
    OK,
    WARNING,
    CRITICAL
  }

  /** The names the certificate must cover: what ACME asks for, or the domain and its aliases. */
  public static List<String> names(Spec spec) {
    if (spec.tls() instanceof TlsSpec.Acme acme) {
      return acme.names();
    }
    List<String> names = new ArrayList<>();
    names.add(spec.domain());
    names.addAll(spec.aliases());
    return names;
  }

  /** The verdict on {@code status} for {@code names}; empty when the app serves no HTTPS. */
  public static Optional<CertVerdict> judge(
      TlsSpec tls, List<String> names, CertStatus status, Instant now) {
    if (!tls.on()) {
      return Optional.empty();
    }
    Optional<CertStatus.Attempt> failed = status.lastAttempt().filter(a -> !a.ok());
    if (status.cert().isEmpty()) {
      if (tls instanceof TlsSpec.Acme) {
        return Optional.of(
            new CertVerdict(
                State.WARNING,
                "no certificate yet: "
                    + status
                        .lastAttempt()
                        .map(CertStatus.Attempt::message)
                        .orElse("no attempt yet; deploy, or run 'hoist tls renew'"),
                OptionalLong.empty()));
      }
      return Optional.of(
          new CertVerdict(
              State.CRITICAL,
              "no certificate on the node; deploy to install tls.cert",
              OptionalLong.empty()));
    }
    CertStatus.Cert cert = status.cert().get();
    long days = cert.daysLeft(now);
    String expiry = CertReport.date(cert.notAfter());
    List<String> missing = names.stream().filter(n -> !cert.covers(List.of(n))).toList();
    State state;
    List<String> why = new ArrayList<>();
    if (!now.isBefore(cert.notAfter())) {
      state = State.CRITICAL;
      why.add("the certificate expired on " + expiry);
    } else if (!missing.isEmpty()) {
      state = State.CRITICAL;
      why.add(
          "the certificate is for "
              + String.join(", ", cert.names())
              + ", not for "
              + String.join(", ", missing));
    } else {
      state =
          days < CRITICAL_DAYS
              ? State.CRITICAL
              : days < WARNING_DAYS || failed.isPresent() ? State.WARNING : State.OK;
      why.add(
          "the certificate for "
              + String.join(", ", names)
              + " expires in "
              + days
              + " day"
              + (days == 1 ? "" : "s")
              + " ("
              + expiry
              + ")");
    }
    failed.ifPresent(a -> why.add("the last renewal failed: " + a.message()));
    return Optional.of(new CertVerdict(state, String.join("; ", why), OptionalLong.of(days)));
  }

  /** Nagios performance data: {@code cert_days=N;14;3}, or empty without a certificate. */
  public String perfData() {
    return daysLeft.isPresent() ? perfData(daysLeft.getAsLong()) : "";
  }

  /** {@code cert_days=N;14;3}: days left, then the warning and critical thresholds. */
  public static String perfData(long daysLeft) {
    return "cert_days=" + daysLeft + ";" + WARNING_DAYS + ";" + CRITICAL_DAYS;
  }
}
