package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.Change;
import dev.hoist.engine.Plan;
import dev.hoist.engine.Planner;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.ServicesSpec;
import dev.hoist.project.Spec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A db node of its own (services only) and the app nodes that use it. */
class DataNodeStackTest {
  static final ServicesSpec PG_REDIS =
      new ServicesSpec(
          Optional.of(new ServicesSpec.Postgres(15, List.of())),
          Optional.of(new ServicesSpec.Redis(OptionalInt.empty())),
          Optional.empty());
  static final DataAccess ACCESS = DataAccess.remote("10.0.0.5", List.of("10.0.0.7", "fd00::7"));
  static final String PASSWORD = "s3cr3t-Pa55word-never-shown";

  static Spec spec() {
    return TestSpec.hello().services(PG_REDIS).build();
  }

  static Catalog dataNode(Supervisor s) {
    return new DataNodeStack(new Templates(List.of()), s).build(spec(), ACCESS);
  }

  @Test
  void theDbNodeGetsServicesOnlyNoAppNoNginx() {
    for (Supervisor s : Supervisor.values()) {
      List<String> ids = ServicesStackTest.ids(dataNode(s));
      assertThat(ids)
          .contains(
              "package:postgresql-15",
              "package:redis-server",
              "exec:services-prepare-hello",
              "exec:services-provision-hello",
              "file:/usr/local/lib/hoist/hoist-data");
      assertThat(ids)
          .noneMatch(
              id ->
                  id.contains("nginx")
                      || id.contains("gunicorn")
                      || id.equals("user:hello")
                      || id.startsWith("dir:/srv/"));
    }
  }

  @Test
  void postgresAndRedisListenOnTheDbNodesAddressForTheAppNodesOnly() throws Exception {
    Catalog c = dataNode(Supervisor.RUNIT);
    assertThat(StackBuilderTest.content(c, "file:/etc/postgresql/15/main/conf.d/hoist.conf"))
        .contains("listen_addresses = 'localhost,10.0.0.5'");
    assertThat(StackBuilderTest.content(c, "file:/etc/hoist/services/hello/redis.conf"))
        .contains("bind 127.0.0.1 -::1 10.0.0.5\n");
    ObjectNode config =
        (ObjectNode)
            new ObjectMapper()
                .readTree(
                    StackBuilderTest.content(c, "file:/etc/hoist/services/hello/services.json"));
    assertThat(config.path("postgres").path("clients").toString())
        .isEqualTo("[\"127.0.0.1/32\",\"::1/128\",\"10.0.0.7/32\",\"fd00::7/128\"]");
    assertThat(config.path("postgres").path("host").asText()).isEqualTo("10.0.0.5");
    assertThat(config.path("redis").path("host").asText()).isEqualTo("10.0.0.5");
    // No app user there: the env file stays root's, for the deploy to carry.
    assertThat(config.path("env_file").asText()).isEqualTo("/etc/hoist/services/hello/app.env");
    assertThat(config.path("env_group").asText()).isEqualTo("root");
  }

  @Test
  void aWebNodesOwnServicesStayOnTheLoopback() {
    Catalog c = StackBuilderTest.build(spec()).catalog();
    assertThat(StackBuilderTest.content(c, "file:/etc/postgresql/15/main/conf.d/hoist.conf"))
        .contains("listen_addresses = 'localhost'");
    assertThat(StackBuilderTest.content(c, "file:/etc/hoist/services/hello/redis.conf"))
        .contains("bind 127.0.0.1 -::1\n");
  }

  @Test
  void addressesAreIpLiteralsAndAListenNeedsClients() {
    assertThat(DataAccess.remote("fd00::5", List.of("10.0.0.7")).urlHost()).isEqualTo("[fd00::5]");
    assertThat(DataAccess.local().urlHost()).isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> DataAccess.remote("db.example", List.of("10.0.0.7")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DataAccess.remote("10.0.0.5", List.of("0.0.0.0/0")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DataAccess.remote("10.0.0.5", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void appNodesGetTheEnvAsASecretFileAndNoServicesOfTheirOwn() {
    ServicesEnv env =
        ServicesEnv.of(
            "DATABASE_URL=postgres://hello:" + PASSWORD + "@10.0.0.5:5432/hello\n",
            List.of("DATABASE_URL"));
    Stack stack =
        new StackBuilder(new Templates(List.of()), Supervisor.RUNIT)
            .withServicesFrom(Optional.of(env))
            .build(spec());
    List<String> ids = ServicesStackTest.ids(stack.catalog());
    assertThat(ids).contains("file:/srv/hello/etc/services", "dir:/etc/hoist/maintenance");
    assertThat(ids).noneMatch(id -> id.contains("postgres") || id.contains("redis"));
    assertThat(ids.indexOf("file:/srv/hello/etc/services"))
        .isLessThan(ids.indexOf("service:hoist-hello"));
    // The site still has the maintenance flag, gunicorn still reads the file.
    assertThat(
            StackBuilderTest.content(
                stack.catalog(), "file:/etc/nginx/sites-enabled/hoist-hello.conf"))
        .contains("/etc/hoist/maintenance/hello");

    Plan plan = Planner.plan(stack.catalog(), Map.of(), stack.releaseRefreshed());
    Change change =
        plan.changes().stream()
            .filter(ch -> ch.id().equals("file:/srv/hello/etc/services"))
            .findFirst()
            .orElseThrow();
    assertThat(change.diff()).doesNotContain(PASSWORD).contains("hidden");
    assertThat(plan.changes().toString()).doesNotContain(PASSWORD);
  }

  @Test
  void theSensitiveValueNeverShowsItself() {
    ServicesEnv env =
        ServicesEnv.of("REDIS_URL=redis://u:" + PASSWORD + "@h:1/0\n", List.of("REDIS_URL"));
    assertThat(env.toString()).doesNotContain(PASSWORD).contains("REDIS_URL");
    assertThat(env.digest()).doesNotContain(PASSWORD).hasSize(12);
    assertThat(String.valueOf(List.of(env))).doesNotContain(PASSWORD);
    assertThat(new String(env.bytes(), java.nio.charset.StandardCharsets.UTF_8)).contains(PASSWORD);
  }

  @Test
  void withoutServicesTheDbNodeRetiresWhatItServedTheAppAndKeepsTheData() throws Exception {
    Spec none = TestSpec.hello().build();
    ObjectMapper json = new ObjectMapper();
    for (Supervisor s : Supervisor.values()) {
      Catalog c = new DataNodeStack(new Templates(List.of()), s).retire(none);
      // Nothing installed or started: only what an earlier deploy left, each by one path.
      assertThat(ServicesStackTest.ids(c))
          .containsExactlyInAnyOrder(
              "absent:/etc/hoist/services/hello/services.json",
              "absent:/etc/hoist/services/hello/backup.json",
              "cron-absent:hello/hoist-backup");

      // A node that still lists the app: its Redis stops, the runner's prepare runs on a config
      // with no service, into the db node's own env file (no app user there), then it goes.
      Plan served =
          Planner.plan(
              c,
              Map.of(
                  "absent:/etc/hoist/services/hello/services.json",
                  json.createObjectNode().put("exists", true)),
              java.util.Set.of());
      assertThat(served.changes()).hasSize(1);
      Change change = served.changes().getFirst();
      assertThat(change.summary()).isEqualTo("stop serving the app's backing services");
      assertThat(change.reasons().getFirst())
          .contains("the data stays", "'hoist services purge' deletes them");
      var ops = change.steps().stream().map(dev.hoist.engine.AgentStep::op).toList();
      assertThat(ops.get(0))
          .isEqualTo(new dev.hoist.engine.AgentOp.ServiceRemove("hoist-redis-hello"));
      var config = (dev.hoist.engine.AgentOp.FileWrite) ops.get(1);
      assertThat(json.readTree(config.content()))
          .isEqualTo(
              json.readTree(
                  "{\"app\":\"hello\",\"app_id\":\"hello\",\"user\":\"hello\","
                      + "\"env_file\":\"/etc/hoist/services/hello/app.env\","
                      + "\"env_group\":\"root\"}"));
      assertThat(ops.getLast())
          .isEqualTo(
              new dev.hoist.engine.AgentOp.PathRemove("/etc/hoist/services/hello/services.json"));

      // Once it is gone (or never was): nothing to do, so a no-op deploy is its one probe.
      Plan gone =
          Planner.plan(
              c,
              Map.of(
                  "absent:/etc/hoist/services/hello/services.json",
                  json.createObjectNode().put("exists", false),
                  "absent:/etc/hoist/services/hello/backup.json",
                  json.createObjectNode().put("exists", false)),
              java.util.Set.of());
      assertThat(gone.isEmpty()).isTrue();
    }
  }
}
