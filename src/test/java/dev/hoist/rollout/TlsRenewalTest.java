package dev.hoist.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.TestNodes;
import dev.hoist.project.TlsSpec;
import dev.hoist.stack.TestSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which nodes {@code hoist tls renew} works on, and which apps it refuses. */
class TlsRenewalTest {
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
