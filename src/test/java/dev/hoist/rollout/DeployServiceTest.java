package dev.hoist.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.TestNodes;
import dev.hoist.project.Spec;
import dev.hoist.project.SpecLoader;
import dev.hoist.stack.Edge;
import dev.hoist.stack.Templates;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DeployServiceTest {
  private static Spec hello;

  @BeforeAll
  static void load() throws Exception {
    hello = SpecLoader.load(Path.of("examples/hello"));
  }

  private static DeployService.Request request(
      boolean local,
      Optional<String> env,
      List<FleetNode> targets,
      Optional<FleetNode> lb,
      Optional<String> balancedElsewhere,
      int canary,
      boolean continuing) {
    return new DeployService.Request(
        hello,
        Templates.forProject(hello.projectDir()),
        local,
        env,
        targets,
        lb,
        false,
        targets,
        balancedElsewhere,
        canary,
        continuing,
        Optional.empty(),
        Optional.empty());
  }

  /** Environment {@code env}'s nodes, with the balancer {@code lb} if any. */
  private static DeployService.Request env(
      String env, List<FleetNode> targets, Optional<FleetNode> lb, int canary, boolean continuing) {
    return request(false, Optional.of(env), targets, lb, Optional.empty(), canary, continuing);
  }

  private static String refused(DeployService.Request r) {
    RolloutException e =
        catchThrowableOfType(RolloutException.class, () -> DeployService.choose(r));
    assertThat(e.kind()).isEqualTo(RolloutException.Kind.USAGE);
    return e.getMessage();
  }

  private static final FleetNode WEB1 = TestNodes.node("web1", "web");
  private static final FleetNode LB =
      new FleetNode(TestNodes.spec("lb1", "10.0.0.5"), List.of("lb"));

  @Test
  void thisMachineAndAFleetWithoutABalancerDeployEachNode() throws Exception {
    DeployService.Way way =
        DeployService.choose(
            request(
                false,
                Optional.of("stage"),
                List.of(WEB1, TestNodes.node("w2", "worker"), LB),
                Optional.empty(),
                Optional.empty(),
                0,
                false));
    assertThat(way).isInstanceOf(DeployService.EachNode.class);
    assertThat(((DeployService.EachNode) way).nodes())
        .extracting(FleetNode::name)
        .containsExactly("web1", "w2");
  }

  @Test
  void aBalancedEnvironmentRolls() throws Exception {
    assertThat(DeployService.choose(env("live", List.of(WEB1), Optional.of(LB), 1, false)))
        .isInstanceOf(DeployService.Rolling.class);
  }

  @Test
  void requestsThatFitNeitherWayAreRefusedWithWhatToDo() {
    assertThat(
            refused(
                request(
                    true,
                    Optional.empty(),
                    List.of(WEB1),
                    Optional.empty(),
                    Optional.empty(),
                    1,
                    false)))
        .startsWith("--canary and --continue need an environment with a load balancer");
    assertThat(refused(env("live", List.of(WEB1), Optional.of(LB), 1, true)))
        .startsWith("--canary takes a number of nodes");
    assertThat(
            refused(
                request(
                    false,
                    Optional.empty(),
                    List.of(WEB1),
                    Optional.empty(),
                    Optional.of("live"),
                    0,
                    false)))
        .contains("behind the load balancer of environment live; deploy them with --env live");
    assertThat(refused(env("stage", List.of(LB), Optional.empty(), 0, false)))
        .endsWith("load balancer nodes are not deployed to directly");
  }

  @Test
  void theWebNodesTrustTheBalancersAddressAndWithOnlyAnswerNoOneElse() throws Exception {
    Templates templates = Templates.forProject(hello.projectDir());

    Edge open = DeployService.deployment(hello, templates, Optional.of(LB), false).edge();
    Edge only = DeployService.deployment(hello, templates, Optional.of(LB), true).edge();
    Edge direct = DeployService.deployment(hello, templates, Optional.empty(), false).edge();

    assertThat(open.balancers()).containsExactly("10.0.0.5");
    assertThat(open.balancerOnly()).isFalse();
    assertThat(only.balancers()).containsExactly("10.0.0.5");
    assertThat(only.balancerOnly()).isTrue();
    assertThat(direct.behindBalancer()).isFalse();
  }
}
