package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.ops.Status;
import dev.hoist.tls.CertVerdict;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** How {@code hoist check} folds a node's health, processes and certificate into one line. */
class CheckCommandTest {
  static Status.Report report(boolean healthy, String... down) {
    List<Status.Process> processes =
        new java.util.ArrayList<>(
            List.of(new Status.Process("hoist-hello", "run", Optional.of(42), Optional.of(60L))));
    for (String d : down) {
      processes.add(new Status.Process(d, "down", Optional.empty(), Optional.empty()));
    }
    return new Status.Report(
        "web1",
        "hello",
        Optional.of("R1"),
        Optional.empty(),
        2,
        processes,
        List.of(),
        healthy,
        healthy ? "HTTP 200" : "HTTP 502",
        "http://hello.example.com/healthz",
        Optional.empty(),
        MissingNode.getInstance());
  }

  static Optional<CertVerdict> cert(CertVerdict.State state, String message, long days) {
    return Optional.of(new CertVerdict(state, message, OptionalLong.of(days)));
  }

  @Test
  void aGoodCertificateAddsItsDaysAndPerformanceData() {
    CheckCommand.Verdict v =
        CheckCommand.judge(
            "hello", report(true), cert(CertVerdict.State.OK, "expires in 60 days", 60));
    assertThat(v.state()).isEqualTo(CheckCommand.OK);
    assertThat(v.line("", v.certDays()))
        .isEqualTo(
            "HOIST OK - hello: http://hello.example.com/healthz HTTP 200; expires in 60 days"
                + " | release=R1 cert_days=60;14;3");
  }

  @Test
  void aCertificateWorseThanHealthDecidesAndSpeaksFirst() {
    CheckCommand.Verdict v =
        CheckCommand.judge(
            "hello on web1", report(true), cert(CertVerdict.State.WARNING, "expires in 9 days", 9));
    assertThat(v.state()).isEqualTo(CheckCommand.WARNING);
    assertThat(v.line(" (1 of 1 nodes healthy)", v.certDays()))
        .isEqualTo(
            "HOIST WARNING - hello on web1: expires in 9 days; http://hello.example.com/healthz"
                + " HTTP 200 (1 of 1 nodes healthy) | release=R1 cert_days=9;14;3");
    assertThat(
            CheckCommand.judge(
                    "hello",
                    report(true, "hoist-hello-worker"),
                    cert(CertVerdict.State.CRITICAL, "expired", -1))
                .state())
        .isEqualTo(CheckCommand.CRITICAL);
  }

  @Test
  void aSickAppStaysCriticalWhateverTheCertificate() {
    CheckCommand.Verdict v =
        CheckCommand.judge(
            "hello", report(false), cert(CertVerdict.State.WARNING, "expires in 9 days", 9));
    assertThat(v.state()).isEqualTo(CheckCommand.CRITICAL);
    assertThat(v.line("", v.certDays()))
        .startsWith(
            "HOIST CRITICAL - hello: http://hello.example.com/healthz HTTP 502; expires in 9 days");
  }

  @Test
  void aProcessDownAndACertificateWarningBothShow() {
    CheckCommand.Verdict v =
        CheckCommand.judge(
            "hello",
            report(true, "hoist-hello-worker"),
            cert(CertVerdict.State.WARNING, "expires in 9 days", 9));
    assertThat(v.state()).isEqualTo(CheckCommand.WARNING);
    assertThat(v.text())
        .isEqualTo("hello: healthy, but not running: hoist-hello-worker; expires in 9 days");
  }

  @Test
  void withoutHttpsNoCertificateData() {
    CheckCommand.Verdict v = CheckCommand.judge("hello", report(true), Optional.empty());
    assertThat(v.line("", v.certDays()))
        .isEqualTo("HOIST OK - hello: http://hello.example.com/healthz HTTP 200 | release=R1");
    CheckCommand.Verdict noCertYet =
        CheckCommand.judge(
            "hello",
            report(true),
            Optional.of(
                new CertVerdict(
                    CertVerdict.State.WARNING,
                    "no certificate yet: refused",
                    OptionalLong.empty())));
    assertThat(noCertYet.line("", noCertYet.certDays())).endsWith(" | release=R1");
  }

  @Test
  void theFewestDaysLeftOfAnyCertificateAreThePerformanceData() {
    // Behind a balancer: the web node's line is the worst, the balancer's certificate has 40 days.
    CheckCommand.Verdict web = CheckCommand.judge("hello on web1", report(true), Optional.empty());
    assertThat(web.line(" (2 of 2 nodes healthy)", OptionalLong.of(40)))
        .isEqualTo(
            "HOIST OK - hello on web1: http://hello.example.com/healthz HTTP 200 (2 of 2 nodes"
                + " healthy) | release=R1 cert_days=40;14;3");
  }

  @Test
  void anUnknownNodeSaysOnlyItsFirstLine() {
    assertThat(
            CheckCommand.unknown("hello on web2", "web2: timed out\nmore")
                .line("", OptionalLong.empty()))
        .isEqualTo("HOIST UNKNOWN - hello on web2: web2: timed out");
  }

  @Test
  void whileAllIsOkTheBackupsVerdictIsToldAfterTheNodes() {
    CheckCommand.Verdict node = CheckCommand.judge("hello", report(true), Optional.empty());
    CheckCommand.Verdict backups =
        new CheckCommand.Verdict(
            CheckCommand.OK,
            "hello backups: newest backup 3 min old; last drill ok",
            Optional.empty(),
            OptionalLong.empty());
    CheckCommand.Verdict v = CheckCommand.worst(List.of(node), Optional.of(backups));
    assertThat(v.line("", OptionalLong.empty(), List.of("backup_age=180s;129600")))
        .isEqualTo(
            "HOIST OK - hello: http://hello.example.com/healthz HTTP 200; hello backups: newest"
                + " backup 3 min old; last drill ok | release=R1 backup_age=180s;129600");
  }

  @Test
  void failingBackupsDecideAndSpeakOnce() {
    CheckCommand.Verdict node = CheckCommand.judge("hello", report(true), Optional.empty());
    CheckCommand.Verdict backups =
        new CheckCommand.Verdict(
            CheckCommand.CRITICAL,
            "hello backups: no backup on the node",
            Optional.empty(),
            OptionalLong.empty());
    CheckCommand.Verdict v = CheckCommand.worst(List.of(node), Optional.of(backups));
    assertThat(v.state()).isEqualTo(CheckCommand.CRITICAL);
    assertThat(v.text()).isEqualTo("hello backups: no backup on the node");
  }
}
