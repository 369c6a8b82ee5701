package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.tls.CertReport;
import dev.hoist.tls.CertVerdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The certificate lines of {@code hoist status} and {@code hoist tls status}. */
class CertViewTest {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final Console console =
      new Console(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false);

  String show(CertReport r) {
    new CertView(console).show(r, "  ");
    return out.toString(StandardCharsets.UTF_8);
  }

  static final CertReport.Certificate CERT =
      new CertReport.Certificate(
          List.of("hello.example.com", "www.hello.example.com"),
          "R11",
          "2026-11-01T12:00:00Z",
          "2027-01-30T12:00:00Z",
          59);

  @Test
  void aGoodCertificateWithItsSourceAndLastRenewal() {
    CertReport r =
        new CertReport(
            "web1",
            "ACME from https://acme-v02.api.letsencrypt.org/directory",
            Optional.of(CERT),
            Optional.of(
                new CertReport.Renewal(
                    "2026-12-01T03:00:00Z", true, "certificate renewed", 0, Optional.empty())),
            Optional.of(new CertVerdict(CertVerdict.State.OK, "fine", OptionalLong.of(59))));
    assertThat(show(r))
        .isEqualTo(
            """
              certificate for hello.example.com, www.hello.example.com: expires in 59 days (2027-01-30 12:00 UTC), issuer R11
                source: ACME from https://acme-v02.api.letsencrypt.org/directory
                last renewal: 2026-12-01 03:00 UTC, ok
            """);
  }

  @Test
  void aFailedFirstAttemptShowsItsCauseTheNextAttemptAndTheVerdict() {
    CertReport r =
        new CertReport(
            "local",
            "ACME from https://acme-v02.api.letsencrypt.org/directory",
            Optional.empty(),
            Optional.of(
                new CertReport.Renewal(
                    "2026-12-02T12:00:00Z",
                    false,
                    "issuing failed (no certificate yet): NXDOMAIN",
                    2,
                    Optional.of("2026-12-02T12:10:00Z"))),
            Optional.of(
                new CertVerdict(
                    CertVerdict.State.WARNING,
                    "no certificate yet: issuing failed (no certificate yet): NXDOMAIN",
                    OptionalLong.empty())));
    assertThat(show(r))
        .isEqualTo(
            """
              certificate: none yet
                source: ACME from https://acme-v02.api.letsencrypt.org/directory
                last renewal: 2026-12-02 12:00 UTC, failed (2 in a row): issuing failed (no certificate yet): NXDOMAIN; next attempt after 2026-12-02 12:10 UTC (or now: hoist tls renew)
                check: WARNING - no certificate yet: issuing failed (no certificate yet): NXDOMAIN
            """);
  }

  @Test
  void anExpiredOwnCertificate() {
    CertReport r =
        new CertReport(
            "web1",
            "your own file certs/site.pem",
            Optional.of(
                new CertReport.Certificate(
                    List.of("hello.example.com"),
                    "hello.example.com",
                    "2026-01-01T00:00:00Z",
                    "2026-12-01T00:00:00Z",
                    -2)),
            Optional.empty(),
            Optional.of(
                new CertVerdict(
                    CertVerdict.State.CRITICAL,
                    "the certificate expired on 2026-12-01 00:00 UTC",
                    OptionalLong.of(-2))));
    assertThat(show(r))
        .isEqualTo(
            """
              certificate for hello.example.com: EXPIRED (2026-12-01 00:00 UTC), issuer hello.example.com
                source: your own file certs/site.pem
                check: CRITICAL - the certificate expired on 2026-12-01 00:00 UTC
            """);
  }

  @Test
  void httpOnlySaysWhyInOneLine() {
    CertReport r =
        new CertReport(
            "local",
            "none: HTTP only; tls: false in hoist.yml",
            Optional.empty(),
            Optional.empty(),
            Optional.empty());
    assertThat(show(r)).isEqualTo("  certificate: none: HTTP only; tls: false in hoist.yml\n");
  }
}
