package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.ServicesSpec;
import dev.hoist.project.Spec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code services:} adds to a node's stack. */
class ServicesStackTest {
  static final ServicesSpec ALL =
      new ServicesSpec(
          Optional.of(new ServicesSpec.Postgres(15, List.of("pg_trgm"))),
          Optional.of(new ServicesSpec.Redis(OptionalInt.of(7001))),
          Optional.of(new ServicesSpec.Files("/media", "5m")));

  static Spec spec(ServicesSpec services) {
    return TestSpec.hello().services(services).build();
  }

  static List<String> ids(Catalog c) {
    return c.ordered().stream().map(e -> e.resource().id()).toList();
  }

  @Test
  void withoutServicesNothingIsAdded() {
    Catalog c = StackBuilderTest.build(TestSpec.hello().build()).catalog();

    assertThat(ids(c))
        .filteredOn(id -> !id.startsWith("absent:") && !id.startsWith("cron-absent:"))
        .noneMatch(id -> id.contains("services") || id.contains("redis"));
    assertThat(StackBuilderTest.content(c, "file:/etc/nginx/sites-enabled/hoist-hello.conf"))
        .doesNotContain("maintenance")
        .contains("client_max_body_size 20m;");
  }

  @Test
  void runitStackInstallsStartsAndProvisionsBeforeTheAppStarts() {
    Catalog c = StackBuilderTest.build(spec(ALL)).catalog();
    List<String> ids = ids(c);

    assertThat(ids)
        .contains(
            "package:postgresql-15",
            "package:redis-server",
            "file:/usr/local/lib/hoist/hoist-services",
            "file:/etc/hoist/services/hello/services.json",
            "file:/etc/postgresql/15/main/conf.d/hoist.conf",
            "file:/etc/sv/hoist-postgresql/run",
            "file:/etc/hoist/services/hello/redis.conf",
            "file:/etc/sv/hoist-redis-hello/run",
            "dir:/srv/hello/shared/uploads");
    // Every service's files are written before the first service starts (the agent links all
    // services in at once), and the app starts after its database exists.
    int lastFile = ids.lastIndexOf("file:/etc/sv/hoist-redis-hello/log/run");
    assertThat(lastFile).isLessThan(ids.indexOf("service:hoist-postgresql"));
    assertThat(ids.indexOf("exec:services-prepare-hello"))
        .isLessThan(ids.indexOf("service:hoist-postgresql"));
    assertThat(ids.indexOf("service:hoist-redis-hello"))
        .isLessThan(ids.indexOf("exec:services-provision-hello"));
    assertThat(ids.indexOf("exec:services-provision-hello"))
        .isLessThan(ids.indexOf("service:hoist-hello"));
    assertThat(c.get("dir:/srv/hello/shared/uploads").resource())
        .isEqualTo(
            new DirectoryResource(
                "/srv/hello/shared/uploads",
                dev.hoist.engine.Attributes.of("hello", "www-data", "2750")));
  }

  @Test
  void theRunnerIsCheckedByEachProbeAndRerunWhenItsConfigChanges() {
    Catalog c = StackBuilderTest.build(spec(ALL)).catalog();
    ExecResource provision = (ExecResource) c.get("exec:services-provision-hello").resource();

    assertThat(provision.unless())
        .containsExactly(
            "/usr/bin/python3",
            "-I",
            "/usr/local/lib/hoist/hoist-services",
            "provision",
            "/etc/hoist/services/hello/services.json",
            "--check");
    assertThat(c.get("file:/etc/hoist/services/hello/services.json").notifies())
        .contains("exec:services-prepare-hello", "exec:services-provision-hello");
    assertThat(c.get("exec:services-prepare-hello").notifies()).contains("service:hoist-hello");
  }

  @Test
  void theConfigHoldsNamesAndPortsButNoPassword() {
    String json =
        StackBuilderTest.content(
            StackBuilderTest.build(spec(ALL)).catalog(),
            "file:/etc/hoist/services/hello/services.json");

    assertThat(json)
        .contains(
            "\"app_id\" : \"hello\"", "\"port\" : 7001", "\"pg_trgm\"", "\"url\" : \"/media\"")
        .doesNotContain("password");
  }

  @Test
  void systemdUsesDebiansClusterUnitAndAUnitPerRedis() {
    Catalog c = StackBuilderTest.build(spec(ALL), Supervisor.SYSTEMD).catalog();

    assertThat(ids(c))
        .contains(
            "service:postgresql@15-main",
            "file:/etc/systemd/system/hoist-redis-hello.service",
            "service:hoist-redis-hello")
        .doesNotContain("file:/etc/sv/hoist-postgresql/run");
    assertThat(StackBuilderTest.content(c, "file:/etc/hoist/services/hello/redis.conf"))
        .contains("supervised systemd", "aclfile /etc/hoist/services/hello/redis.acl");
  }

  @Test
  void theAppReadsTheServicesEnvBeforeItsSecrets() {
    Stack stack = StackBuilderTest.build(spec(ALL));
    String gunicorn =
        new String(
            stack.releaseConfig().get(".hoist/gunicorn.conf.py").content(), StandardCharsets.UTF_8);
    String withEnv = StackBuilderTest.content(stack.catalog(), "file:/srv/hello/etc/with-env");

    assertThat(gunicorn)
        .contains(
            "raw_env = _env_file(\"/srv/hello/current/.hoist/env\") +"
                + " _env_file(\"/srv/hello/etc/services\", missing_ok=True) + _secret_env");
    assertThat(withEnv.indexOf(". /srv/hello/etc/services"))
        .isPositive()
        .isLessThan(withEnv.indexOf(". /srv/hello/etc/secrets"));
  }

  @Test
  void nginxServesUploadsAsBytesAndHonoursTheMaintenanceFlag(@TempDir Path dir) throws Exception {
    String site =
        StackBuilderTest.content(
            StackBuilderTest.build(spec(ALL)).catalog(),
            "file:/etc/nginx/sites-enabled/hoist-hello.conf");

    assertThat(site)
        .contains(
            "client_max_body_size 5m;",
            "if (-f /etc/hoist/maintenance/hello) {",
            "add_header Retry-After 5 always;",
            "location ^~ /media/ {",
            "alias /srv/hello/shared/uploads/;",
            "disable_symlinks on;");
    Assumptions.assumeTrue(NginxCheck.installed(), "nginx is not installed here");
    NginxCheck.accepts(dir, site);
  }

  @Test
  void aDroppedRedisStopsOnceAndItsDataStays() {
    Catalog c =
        StackBuilderTest.build(
                spec(new ServicesSpec(ALL.postgres(), Optional.empty(), Optional.empty())))
            .catalog();

    var gone =
        (dev.hoist.engine.FileAbsent)
            c.get("absent:/etc/hoist/services/hello/redis.conf").resource();
    assertThat(gone.before())
        .containsExactly(new dev.hoist.engine.AgentOp.ServiceRemove("hoist-redis-hello"));
    assertThat(gone.why())
        .isEqualTo(
            "redis is no longer in services:; its data stays in /var/lib/hoist/redis/hello"
                + " ('hoist services purge redis' deletes it once you no longer need it)");
    // Checked by one lstat: once the config is gone, nothing more is planned.
    assertThat(
            gone.diff(
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode()
                    .put("exists", false)))
        .isEmpty();
    assertThat(ids(c)).doesNotContain("absent:/etc/hoist/services/hello/services.json");
    assertThat(ids(StackBuilderTest.build(spec(ALL)).catalog()))
        .doesNotContain("absent:/etc/hoist/services/hello/redis.conf");
  }

  @Test
  void droppedServicesStopServingTheAppAndKeepItsData() throws Exception {
    Catalog c = StackBuilderTest.build(TestSpec.hello().build()).catalog();

    var gone =
        (dev.hoist.engine.FileAbsent)
            c.get("absent:/etc/hoist/services/hello/services.json").resource();
    var change =
        gone.diff(
                new com.fasterxml.jackson.databind.ObjectMapper()
                    .createObjectNode()
                    .put("exists", true))
            .orElseThrow();
    assertThat(change.summary()).isEqualTo("stop serving the app's backing services");
    assertThat(change.reasons().getFirst())
        .startsWith("services: is no longer in hoist.yml; the data stays: the database hello");
    List<dev.hoist.engine.AgentOp> ops =
        change.steps().stream().map(dev.hoist.engine.AgentStep::op).toList();
    assertThat(ops.get(0))
        .isEqualTo(new dev.hoist.engine.AgentOp.ServiceRemove("hoist-redis-hello"));
    var config = (dev.hoist.engine.AgentOp.FileWrite) ops.get(1);
    // The runner's prepare with no service: the env file loses every variable, pg_hba the app.
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.content()))
        .isEqualTo(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(
                    "{\"app\":\"hello\",\"app_id\":\"hello\",\"user\":\"hello\","
                        + "\"env_file\":\"/srv/hello/etc/services\"}"));
    assertThat(((dev.hoist.engine.AgentOp.Exec) ops.get(2)).argv())
        .containsExactly(
            "/usr/bin/python3",
            "-I",
            "/usr/local/lib/hoist/hoist-services",
            "prepare",
            "/etc/hoist/services/hello/services.json");
    assertThat(ops.get(3))
        .isEqualTo(
            new dev.hoist.engine.AgentOp.PathRemove("/etc/hoist/services/hello/services.json"));
  }
}
