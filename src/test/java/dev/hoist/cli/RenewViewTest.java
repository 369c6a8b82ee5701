package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeFailure;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.rollout.TlsRenewal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code hoist tls renew} prints per node. */
class RenewViewTest {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final Console console =
      new Console(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false);

  @Test
  void eachNodeSaysWhatHappenedThenATally() {
    TlsRenewal.Renewed issued =
        new TlsRenewal.Renewed(
            "web1",
            "issued",
            "certificate issued (no certificate yet) for hello.example.com, expires in 89 days",
            List.of("hello.example.com"),
            Optional.of(Instant.parse("2027-03-01T12:00:00Z")),
            Optional.empty(),
            Optional.of("nginx now serves HTTPS; HTTP redirects to it"),
            true);
    TlsRenewal.Renewed failed =
        new TlsRenewal.Renewed(
            "web2",
            "failed",
            "issuing failed (no certificate yet): connection refused",
            List.of(),
            Optional.empty(),
            Optional.of(Instant.parse("2026-12-02T12:10:00Z")),
            Optional.empty(),
            false);
    FleetResult<TlsRenewal.Renewed> result =
        new FleetResult<>(
            List.of(
                NodeOutcome.of("web1", issued, Duration.ofSeconds(5)),
                NodeOutcome.of("web2", failed, Duration.ofSeconds(5)),
                NodeOutcome.failed(
                    "web3",
                    new NodeFailure(NodeFailure.Kind.UNREACHABLE, "10.0.0.3:22 did not answer"),
                    Duration.ofSeconds(10))),
            Duration.ofSeconds(10));
    new RenewView(console).show(result, false);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
            web1: issued - certificate issued (no certificate yet) for hello.example.com, expires in 89 days
              nginx now serves HTTPS; HTTP redirects to it
            web2: failed - issuing failed (no certificate yet): connection refused
              the renewal job tries again after 2026-12-02 12:10 UTC (backoff); 'hoist tls renew' tries now
            web3: unreachable - 10.0.0.3:22 did not answer
            1 of 3 nodes with a current certificate
            """);
  }

  @Test
  void onThisMachineNoNodeNamesAndNoTally() {
    TlsRenewal.Renewed unchanged =
        new TlsRenewal.Renewed(
            "local",
            "unchanged",
            "the certificate covers every name and expires in 80 days (2027-02-20 12:00 UTC)",
            List.of("hello.example.com"),
            Optional.of(Instant.parse("2027-02-20T12:00:00Z")),
            Optional.empty(),
            Optional.empty(),
            true);
    new RenewView(console)
        .show(
            new FleetResult<>(
                List.of(NodeOutcome.of("local", unchanged, Duration.ofSeconds(1))),
                Duration.ofSeconds(1)),
            true);
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "unchanged - the certificate covers every name and expires in 80 days (2027-02-20"
                + " 12:00 UTC)\n");
  }
}
