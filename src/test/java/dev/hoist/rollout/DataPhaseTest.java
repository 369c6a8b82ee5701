package dev.hoist.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.fleet.FleetNode;
import dev.hoist.stack.DataAccess;
import dev.hoist.stack.ServicesEnv;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a db node of its own listens, whom it lets in, and the env carried to the app nodes. */
class DataPhaseTest {
  static FleetNode node(String name, String host, String... roles) {
    return new FleetNode(dev.hoist.fleet.TestNodes.spec(name, host), List.of(roles));
  }

  @Test
  void theDbNodeListensAtItsHostAndLetsInEachAppNodeAlone() throws Exception {
    DataAccess a =
        DataPhase.access(
            node("db1", "10.0.0.5", "db"),
            List.of(node("web1", "10.0.0.7", "web"), node("w1", "fd00:0:0::8", "worker")));
    assertThat(a.listen()).contains("10.0.0.5");
    assertThat(a.clients()).containsExactly("10.0.0.7", "fd00::8");
    assertThat(a.hbaAddresses())
        .containsExactly("127.0.0.1/32", "::1/128", "10.0.0.7/32", "fd00::8/128");
    assertThat(a.postgresListen()).isEqualTo("localhost,10.0.0.5");
  }

  @Test
  void aNameIsResolvedHereAndAnUnknownOneRefused() throws Exception {
    DataAccess a =
        DataPhase.access(node("db1", "localhost", "db"), List.of(node("web1", "10.0.0.7", "web")));
    assertThat(a.listen().orElseThrow()).isIn("127.0.0.1", "::1");
    RolloutException e =
        catchThrowableOfType(
            RolloutException.class,
            () ->
                DataPhase.access(
                    node("db1", "no-such-host.invalid", "db"),
                    List.of(node("web1", "10.0.0.7", "web"))));
    assertThat(e.getMessage())
        .contains("cannot resolve no-such-host.invalid, the host of db node db1")
        .contains("give its IP address as host");
  }

  @Test
  void ipv6IsWrittenShort() throws Exception {
    assertThat(NodeAddresses.compress(InetAddress.getByName("fd00::5").getAddress()))
        .isEqualTo("fd00::5");
    assertThat(NodeAddresses.compress(InetAddress.getByName("::1").getAddress())).isEqualTo("::1");
    assertThat(NodeAddresses.compress(InetAddress.getByName("1:0:0:2:0:0:0:3").getAddress()))
        .isEqualTo("1:0:0:2::3");
  }

  @Test
  void theEnvIsRebuiltQuotedAndNeverShown() throws Exception {
    var values =
        new ObjectMapper()
            .readTree(
                "{\"DATABASE_URL\": \"postgres://a:pw-SECRET@10.0.0.5:5432/a\","
                    + " \"REDIS_URL\": \"redis://a:pw-SECRET@10.0.0.5:6500/0\"}");
    ServicesEnv env = DataPhase.servicesEnv("a", "db1", values);
    assertThat(env.names()).containsExactly("DATABASE_URL", "REDIS_URL");
    assertThat(env.toString()).doesNotContain("SECRET");
    RolloutException none =
        catchThrowableOfType(
            RolloutException.class,
            () -> DataPhase.servicesEnv("a", "db1", new ObjectMapper().readTree("{}")));
    assertThat(none.getMessage()).contains("/etc/hoist/services/a/app.env");
    RolloutException bad =
        catchThrowableOfType(
            RolloutException.class,
            () ->
                DataPhase.servicesEnv(
                    "a", "db1", new ObjectMapper().readTree("{\"X=1\\nY\": \"SECRET\"}")));
    assertThat(bad.getMessage()).doesNotContain("SECRET");
  }

  @Test
  void aDbNodeCannotHandTheAppNodesAnyOtherVariable() throws Exception {
    // Root on the db node could otherwise run code as the app on every app node.
    RolloutException preload =
        catchThrowableOfType(
            RolloutException.class,
            () ->
                DataPhase.servicesEnv(
                    "a",
                    "db1",
                    new ObjectMapper()
                        .readTree(
                            "{\"DATABASE_URL\": \"postgres://x\", \"LD_PRELOAD\":"
                                + " \"/tmp/SECRET.so\"}")));
    assertThat(preload.getMessage())
        .contains("db1", "LD_PRELOAD", "DATABASE_URL, REDIS_URL")
        .doesNotContain("SECRET");
  }

  @Test
  void aRetiringPhaseOpensNothingAndIsOnlyForAnAppWithoutServices() {
    FleetNode db = node("db1", "10.0.0.5", "db");
    var templates = new dev.hoist.stack.Templates(List.of());
    // No app node needed: it lets no one in, it only takes down what was.
    assertThat(DataPhase.retiring(dev.hoist.stack.TestSpec.hello().build(), templates, db).access())
        .isEmpty();
    var services =
        new dev.hoist.project.ServicesSpec(
            java.util.Optional.empty(),
            java.util.Optional.of(
                new dev.hoist.project.ServicesSpec.Redis(java.util.OptionalInt.empty())),
            java.util.Optional.empty());
    assertThat(
            catchThrowableOfType(
                IllegalArgumentException.class,
                () ->
                    DataPhase.retiring(
                        dev.hoist.stack.TestSpec.hello().services(services).build(),
                        templates,
                        db)))
        .hasMessageContaining("still has services:");
  }
}
