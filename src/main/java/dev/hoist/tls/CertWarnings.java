package dev.hoist.tls;

import dev.hoist.project.TlsSpec;
import java.time.Instant;

/**
 * The loud warning when a deploy could not get or renew the certificate, on a web node or on the
 * balancer alike: what is (not) served, then the cause and when it is tried again.
 */
public final class CertWarnings {
  /** How a warning starts when the site could not get its certificate and stays on HTTP. */
  public static final String NOT_SERVED = "HTTPS IS NOT SERVED";

  private CertWarnings() {}

  /** Skipped: an earlier attempt failed and its backoff runs {@code until}. */
  public static String backedOff(CertStatus status, TlsSpec.Acme acme, Instant until) {
    return headline(status, acme)
        + " the last attempt failed: "
        + status.lastAttempt().map(CertStatus.Attempt::message).orElse("?")
        + "; next attempt after "
        + until
        + " (backoff), or now with 'hoist tls renew'";
  }

  /** This attempt failed (or the runner could not run). */
  public static String failed(CertStatus status, TlsSpec.Acme acme, AcmeRunner.Outcome outcome) {
    return headline(status, acme)
        + " "
        + outcome.message()
        + outcome
            .nextAttempt()
            .map(
                t ->
                    "; the node's renewal job and the next deploy retry after "
                        + t
                        + " (backoff), 'hoist tls renew' now")
            .orElse("; the next deploy retries, 'hoist tls renew' now");
  }

  private static String headline(CertStatus status, TlsSpec.Acme acme) {
    String names = String.join(", ", acme.names());
    return status.cert().isPresent()
        ? "the certificate was not renewed for " + names + ":"
        : NOT_SERVED
            + ": no certificate for "
            + names
            + " from "
            + acme.directory()
            + "; the site stays on HTTP.";
  }
}
