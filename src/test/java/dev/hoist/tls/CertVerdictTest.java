package dev.hoist.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.project.TlsSpec;
import dev.hoist.stack.TestSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code hoist check}'s certificate thresholds, at each boundary. */
class CertVerdictTest {
  static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
  static final List<String> NAMES = List.of("hello.example.com", "www.hello.example.com");
  static final TlsSpec ACME =
      new TlsSpec.Acme(
          NAMES, Optional.empty(), TlsSpec.LETS_ENCRYPT, Optional.empty(), Optional.empty());
  static final TlsSpec FILES =
      new TlsSpec.Files(Path.of("/home/dev/site.pem"), Optional.empty(), Optional.empty());

  /** A certificate for {@link #NAMES} that ends {@code left} from {@link #NOW}. */
  static CertStatus.Cert cert(Duration left) {
    return new CertStatus.Cert(NAMES, "R11", NOW.minus(Duration.ofDays(60)), NOW.plus(left));
  }

  static CertStatus status(CertStatus.Cert cert) {
    return new CertStatus(Optional.of(cert), Optional.of(ok()));
  }

  static CertStatus.Attempt ok() {
    return new CertStatus.Attempt(
        NOW.minus(Duration.ofHours(1)), true, "certificate renewed", 0, Optional.empty());
  }

  static CertStatus.Attempt failed(String message) {
    return new CertStatus.Attempt(
        NOW.minus(Duration.ofMinutes(1)),
        false,
        message,
        2,
        Optional.of(NOW.plus(Duration.ofMinutes(9))));
  }

  static CertVerdict judge(TlsSpec tls, CertStatus status) {
    return CertVerdict.judge(tls, NAMES, status, NOW).orElseThrow();
  }

  static CertVerdict days(long days) {
    return judge(ACME, status(cert(Duration.ofDays(days).plusHours(1))));
  }

  @Test
  void fourteenDaysIsOkThirteenWarns() {
    CertVerdict fourteen = days(14);
    assertThat(fourteen.state()).isEqualTo(CertVerdict.State.OK);
    assertThat(fourteen.message())
        .isEqualTo(
            "the certificate for hello.example.com, www.hello.example.com expires in 14 days"
                + " (2026-12-16 13:00 UTC)");
    assertThat(fourteen.perfData()).isEqualTo("cert_days=14;14;3");
    CertVerdict thirteen = days(13);
    assertThat(thirteen.state()).isEqualTo(CertVerdict.State.WARNING);
    assertThat(thirteen.perfData()).isEqualTo("cert_days=13;14;3");
  }

  @Test
  void threeDaysWarnsTwoIsCritical() {
    assertThat(days(3).state()).isEqualTo(CertVerdict.State.WARNING);
    CertVerdict two = days(2);
    assertThat(two.state()).isEqualTo(CertVerdict.State.CRITICAL);
    assertThat(two.message()).contains("expires in 2 days");
    assertThat(days(1).message()).contains("expires in 1 day (");
  }

  @Test
  void daysAreWholeDaysLeftRoundedDown() {
    // 13 days and 23 hours: 13 whole days, so WARNING.
    CertVerdict v = judge(ACME, status(cert(Duration.ofDays(14).minusHours(1))));
    assertThat(v.state()).isEqualTo(CertVerdict.State.WARNING);
    assertThat(v.daysLeft()).hasValue(13);
    assertThat(judge(ACME, status(cert(Duration.ofHours(1)))).perfData())
        .isEqualTo("cert_days=0;14;3");
  }

  @Test
  void anExpiredCertificateIsCritical() {
    CertVerdict v = judge(ACME, status(cert(Duration.ofHours(-25))));
    assertThat(v.state()).isEqualTo(CertVerdict.State.CRITICAL);
    assertThat(v.message()).isEqualTo("the certificate expired on 2026-12-01 11:00 UTC");
    assertThat(v.perfData()).isEqualTo("cert_days=-2;14;3");
    // The very second it ends counts as expired.
    assertThat(judge(FILES, status(cert(Duration.ZERO))).state())
        .isEqualTo(CertVerdict.State.CRITICAL);
  }

  @Test
  void aCertificateNotCoveringEveryNameIsCritical() {
    CertStatus.Cert other =
        new CertStatus.Cert(
            List.of("hello.example.com"), "R11", NOW, NOW.plus(Duration.ofDays(80)));
    CertVerdict v = judge(ACME, status(other));
    assertThat(v.state()).isEqualTo(CertVerdict.State.CRITICAL);
    assertThat(v.message())
        .isEqualTo("the certificate is for hello.example.com, not for www.hello.example.com");
    assertThat(v.daysLeft()).hasValue(80);
  }

  @Test
  void aWildcardCoversTheAlias() {
    CertStatus.Cert wild =
        new CertStatus.Cert(
            List.of("hello.example.com", "*.hello.example.com"),
            "R11",
            NOW,
            NOW.plus(Duration.ofDays(80)));
    assertThat(judge(FILES, status(wild)).state()).isEqualTo(CertVerdict.State.OK);
  }

  @Test
  void aFailedRenewalWarnsEvenWithDaysLeftAndSaysWhy() {
    CertStatus s =
        new CertStatus(
            Optional.of(cert(Duration.ofDays(25))),
            Optional.of(failed("renewal failed (expires in 25 days): connection refused")));
    CertVerdict v = judge(ACME, s);
    assertThat(v.state()).isEqualTo(CertVerdict.State.WARNING);
    assertThat(v.message())
        .contains("expires in 25 days")
        .endsWith(
            "; the last renewal failed: renewal failed (expires in 25 days): connection refused");
  }

  @Test
  void aFailedRenewalDoesNotSoftenACriticalOne() {
    CertStatus s =
        new CertStatus(Optional.of(cert(Duration.ofDays(2))), Optional.of(failed("timeout")));
    assertThat(judge(ACME, s).state()).isEqualTo(CertVerdict.State.CRITICAL);
  }

  @Test
  void anAcmeAppWithoutACertificateYetWarnsWithTheLastAttemptsMessage() {
    CertStatus s =
        new CertStatus(
            Optional.empty(),
            Optional.of(failed("issuing failed (no certificate yet): DNS problem: NXDOMAIN")));
    CertVerdict v = judge(ACME, s);
    assertThat(v.state()).isEqualTo(CertVerdict.State.WARNING);
    assertThat(v.message())
        .isEqualTo(
            "no certificate yet: issuing failed (no certificate yet): DNS problem: NXDOMAIN");
    assertThat(v.perfData()).isEmpty();
    assertThat(judge(ACME, new CertStatus(Optional.empty(), Optional.empty())).message())
        .startsWith("no certificate yet: no attempt yet");
  }

  @Test
  void anOwnCertificateMissingOnTheNodeIsCritical() {
    CertVerdict v = judge(FILES, new CertStatus(Optional.empty(), Optional.empty()));
    assertThat(v.state()).isEqualTo(CertVerdict.State.CRITICAL);
    assertThat(v.message()).startsWith("no certificate on the node");
  }

  @Test
  void noHttpsNoVerdict() {
    assertThat(
            CertVerdict.judge(
                new TlsSpec.Off("tls: false in hoist.yml"),
                NAMES,
                new CertStatus(Optional.empty(), Optional.empty()),
                NOW))
        .isEmpty();
  }

  @Test
  void theNamesAreWhatAcmeAsksForOrTheDomainAndAliases() {
    assertThat(
            CertVerdict.names(TestSpec.hello().alias("www.hello.example.com").tls(FILES).build()))
        .containsExactly("hello.example.com", "www.hello.example.com");
    TlsSpec acme =
        new TlsSpec.Acme(
            List.of("hello.example.com"),
            Optional.empty(),
            TlsSpec.LETS_ENCRYPT,
            Optional.empty(),
            Optional.empty());
    assertThat(CertVerdict.names(TestSpec.hello().alias("hello.test").tls(acme).build()))
        .containsExactly("hello.example.com");
  }
}
