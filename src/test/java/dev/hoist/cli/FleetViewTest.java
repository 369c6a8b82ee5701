package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.engine.Change;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeFailure;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.fleet.TestNodes;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a person reads after a fleet deploy, and the plain progress lines when not on a terminal.
 */
class FleetViewTest {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final Console console =
      new Console(
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8),
          false);

  static DeployReport report(String node, int changes, boolean ok, boolean rolledBack) {
    List<Change> list =
        java.util.stream.IntStream.range(0, changes)
            .mapToObj(
                i ->
                    new Change(
                        "file:" + i,
                        Change.Kind.UPDATE,
                        "file " + i,
                        List.of("content"),
                        "",
                        List.of()))
            .toList();
    return new DeployReport(
        node,
        true,
        list,
        Optional.of("R0"),
        Optional.of("R1"),
        "new code",
        ok,
        ok ? Optional.empty() : Optional.of(node + ": health check failed: HTTP 500"),
        rolledBack,
        Optional.of(ok ? "R1" : "R0"),
        ok ? "healthy: HTTP 200" : "failed",
        Duration.ofMillis(900),
        2,
        List.of());
  }

  @Test
  void summaryHasARowPerNodeThenEachFailureAndATally() {
    FleetResult<DeployReport> result =
        new FleetResult<>(
            List.of(
                NodeOutcome.of("web1", report("web1", 2, true, false), Duration.ofMillis(1234)),
                NodeOutcome.of("web2", report("web2", 2, false, true), Duration.ofMillis(2000)),
                NodeOutcome.failed(
                    "web3",
                    new NodeFailure(
                        NodeFailure.Kind.UNREACHABLE,
                        "web3: 10.0.0.3:22 did not answer within 10s"),
                    Duration.ofSeconds(10))),
            Duration.ofSeconds(10));

    new FleetView(console).deploySummary(result);

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
        NODE  RESULT       CHANGED  RELEASE  HEALTH   TIME
        web1  ok           3        R1       healthy  1.23s
        web2  rolled back  3        R0       failed   2.00s
        web3  unreachable  -        -        -        10.00s
        web2: health check failed: HTTP 500
        web3: 10.0.0.3:22 did not answer within 10s
        1 of 3 nodes deployed in 10.00s
        """);
  }

  @Test
  void withoutATerminalEachPhaseIsOnePlainLine() {
    FleetNode web1 = new FleetNode(TestNodes.spec("web1", "h"), List.of("web"));
    FleetDisplay display = new FleetDisplay(console, List.of(web1));

    display.connecting(web1);
    DeployListener listener = display.forNode("web1");
    listener.phase(DeployListener.Phase.PROBE, 0);
    listener.phase(DeployListener.Phase.APPLY, 5);
    display.finished(web1, NodeOutcome.of("web1", "x", Duration.ofMillis(1500)));
    display.close();

    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
        web1: connecting
        web1: probing
        web1: applying 5 steps
        web1: done  1.5s
        """);
  }
}
