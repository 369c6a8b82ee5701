package dev.hoist.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.TestNodes;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import dev.hoist.project.TlsSpec;
import dev.hoist.stack.Templates;
import dev.hoist.stack.TestSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which nodes {@code hoist tls renew} works on, which apps it refuses, and how it runs the node's
 * runner (a fake node answers as hoist-acme does; the switch to HTTPS runs for real in the ITs).
 */
class TlsRenewalTest {
  /** A node whose only command is the runner: it records the argv and answers {@code result}. */
  static final class RunnerNode implements Node {
    final List<List<String>> ran = new ArrayList<>();
    final ExecResult result;

    RunnerNode(ExecResult result) {
      this.result = result;
    }

    @Override
    public String name() {
      return "web1";
    }

    @Override
    public ExecResult exec(ExecRequest request) {
      ran.add(request.argv());
      return result;
    }

    @Override
    public int interactive(List<String> argv, boolean tty) {
      throw new UnsupportedOperationException();
    }
  }

  static TlsRenewal renewal(boolean force) {
    return new TlsRenewal(
        new TlsRenewal.Request(
            TestSpec.hello()
                .tls(
                    new TlsSpec.Acme(
                        List.of("hello.example.com"),
                        Optional.empty(),
                        TlsSpec.LETS_ENCRYPT,
                        Optional.empty(),
                        Optional.empty()))
                .build(),
            new Templates(List.of()),
            Optional.empty(),
            Optional.empty(),
            List.of(WEB1),
            force));
  }

  @Test
  void aFreshCertificateIsLeftAloneAndTheRunnerRunsPastTheBackoff() throws Exception {
    RunnerNode node =
        new RunnerNode(
            new ExecResult(
                0,
                "{\"action\": \"unchanged\", \"message\": \"the certificate covers every name\","
                    + " \"names\": [\"hello.example.com\"], \"not_after\": 1800000000,"
                    + " \"next_attempt\": null}\n",
                ""));
    TlsRenewal.Renewed r = renewal(false).renew(WEB1, node);
    assertThat(node.ran)
        .containsExactly(
            List.of(
                "/usr/bin/python3",
                "-I",
                "/usr/local/lib/hoist/hoist-acme",
                "ensure",
                "/etc/hoist/tls/hello",
                "--now"));
    assertThat(r.action()).isEqualTo("unchanged");
    assertThat(r.ok()).isTrue();
    assertThat(r.https()).isEmpty();
    assertThat(r.names()).containsExactly("hello.example.com");
  }

  @Test
  void forceRenewsEvenAFreshOne() throws Exception {
    RunnerNode node =
        new RunnerNode(
            new ExecResult(
                0,
                "{\"action\": \"renewed\", \"message\": \"certificate renewed (renewal forced)\"}\n",
                ""));
    TlsRenewal.Renewed r = renewal(true).renew(WEB1, node);
    assertThat(node.ran.getFirst()).endsWith("--force");
    assertThat(r.ok()).isTrue();
    // A renewal needs no switch: the runner reloaded the server, which already serves HTTPS.
    assertThat(r.https()).isEmpty();
  }

  @Test
  void aFailureKeepsTheCausesAndTheNextAttempt() throws Exception {
    RunnerNode node =
        new RunnerNode(
            new ExecResult(
                1,
                "{\"action\": \"failed\", \"message\": \"issuing failed (no certificate yet):"
                    + " DNS problem\", \"names\": [], \"not_after\": null, \"next_attempt\":"
                    + " 1800000300}\n",
                ""));
    TlsRenewal.Renewed r = renewal(false).renew(WEB1, node);
    assertThat(r.ok()).isFalse();
    assertThat(r.message()).isEqualTo("issuing failed (no certificate yet): DNS problem");
    assertThat(r.nextAttempt()).hasValue(java.time.Instant.ofEpochSecond(1800000300));
  }

  @Test
  void aNodeNotDeployedWithAcmeIsToldToDeploy() throws Exception {
    TlsRenewal.Renewed noDir =
        renewal(false)
            .renew(
                WEB1,
                new RunnerNode(
                    new ExecResult(
                        2,
                        "{\"action\": \"failed\", \"message\": \"/etc/hoist/tls/hello does not"
                            + " exist\"}\n",
                        "")));
    assertThat(noDir.ok()).isFalse();
    assertThat(noDir.message()).endsWith("'hoist deploy' sets the ACME runner up");
    TlsRenewal.Renewed noRunner =
        renewal(false)
            .renew(
                WEB1,
                new RunnerNode(
                    new ExecResult(
                        2,
                        "",
                        "/usr/bin/python3: can't open file '/usr/local/lib/hoist/hoist-acme'")));
    assertThat(noRunner.action()).isEqualTo("error");
    assertThat(noRunner.message())
        .contains("can't open file")
        .endsWith("'hoist deploy' sets the ACME runner up");
  }

  static final FleetNode LB = TestNodes.node("lb1", "lb");
  static final FleetNode WEB1 = TestNodes.node("web1", "web");
  static final FleetNode WEB2 = TestNodes.node("web2", "web");
  static final FleetNode WORKER = TestNodes.node("worker1", "worker");

  @Test
  void withABalancerOnlyTheBalancerEndsTls() throws Exception {
    assertThat(TlsRenewal.nodes(Optional.of(LB), List.of(WEB1, WEB2, LB, WORKER), Optional.empty()))
        .containsExactly(LB);
  }

  @Test
  void aNodeNarrowedAwayFromTheBalancerIsRefusedSayingWhere() {
    assertThatThrownBy(() -> TlsRenewal.nodes(Optional.of(LB), List.of(WEB1), Optional.empty()))
        .isInstanceOf(RolloutException.class)
        .hasMessageContaining("TLS ends on the balancer lb1")
        .hasMessageContaining("--node lb1");
  }

  @Test
  void nodesOfABalancedEnvironmentNeedTheirEnvironment() {
    assertThatThrownBy(() -> TlsRenewal.nodes(Optional.empty(), List.of(WEB1), Optional.of("live")))
        .hasMessageContaining("use --env live");
  }

  @Test
  void withoutABalancerEachWebNodeEndsTls() throws Exception {
    assertThat(TlsRenewal.nodes(Optional.empty(), List.of(WEB1, WORKER, WEB2), Optional.empty()))
        .containsExactly(WEB1, WEB2);
    assertThatThrownBy(() -> TlsRenewal.nodes(Optional.empty(), List.of(WORKER), Optional.empty()))
        .hasMessageContaining("none of the chosen nodes has the web role");
  }

  @Test
  void onlyAnAcmeCertificateIsRenewed() throws Exception {
    TlsRenewal.renewable(
        TestSpec.hello()
            .tls(
                new TlsSpec.Acme(
                    List.of("hello.example.com"),
                    Optional.empty(),
                    TlsSpec.LETS_ENCRYPT,
                    Optional.empty(),
                    Optional.empty()))
            .build());
    assertThatThrownBy(
            () -> TlsRenewal.renewable(TestSpec.hello().tlsCert("certs/site.pem").build()))
        .hasMessageContaining("your own file certs/site.pem")
        .hasMessageContaining("'hoist deploy' installs it");
    assertThatThrownBy(
            () ->
                TlsRenewal.renewable(
                    TestSpec.hello().tls(new TlsSpec.Off("tls: false in hoist.yml")).build()))
        .hasMessage("app hello serves no HTTPS: tls: false in hoist.yml")
        .isInstanceOfSatisfying(
            RolloutException.class,
            e -> assertThat(e.kind()).isEqualTo(RolloutException.Kind.USAGE));
  }
}
