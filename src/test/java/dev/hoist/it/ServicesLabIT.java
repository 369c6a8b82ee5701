package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/django-postgres over SSH on lab nodes: a runit node (lab1) and a systemd node (sd1),
 * each with PostgreSQL and Redis installed from Debian's mirror by the deploy, data written through
 * the app, a no-op rerun; and the environments services are refused in. Last, lab1's app drops
 * Redis, then every service: each stops serving the app (its variables, its pg_hba lines, its
 * instance) while its data stays.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesLabIT {
  private static final String APP = "labsvc";
  private static final String HOST = APP + ".test";

  @TempDir static Path tmp;
  static LabNodes.Node runit;
  static LabNodes.Node systemd;
  static Path project;
  static Path hello;
  static String base;

  @BeforeAll
  static void lab() throws Exception {
    runit = LabNodes.up(1).getFirst();
    systemd = LabNodes.upSystemd(1).getFirst();
    project = Hoist.copyExample("django-postgres", "django-pg", APP, tmp);
    List<LabNodes.Node> both = List.of(runit, systemd);
    Path yml = project.resolve("hoist.yml");
    Files.writeString(
        yml,
        Files.readString(yml)
            + LabNodes.nodesYaml("deploy", both)
            + "\nenvironments:\n"
            + "  rn: ["
            + runit.name()
            + "]\n  sd: ["
            + systemd.name()
            + "]\n  many: ["
            + runit.name()
            + ", "
            + systemd.name()
            + "]\n  split: {web: ["
            + runit.name()
            + "], db: "
            + systemd.name()
            + "}\n");
  }

  @AfterAll
  static void down() throws Exception {
    // nginx, PostgreSQL and Redis hold ports on lab1 and sd1: gone, so later classes get clean
    // nodes.
    LabNodes.down();
  }

  static Hoist.Result deploy(String env) throws Exception {
    return Hoist.run("deploy", project.toString(), "--env", env);
  }

  static String curl(LabNodes.Node node, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-H", "Host: " + HOST));
    argv.addAll(List.of(args));
    argv.set(argv.size() - 1, "http://" + node.address() + argv.getLast());
    Hoist.Result r = Hoist.capture(new ProcessBuilder(argv), "curl");
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  @Test
  @Order(1)
  void severalWebNodesWithoutADbNodeAreRefusedBeforeAnythingIsTouched() throws Exception {
    Hoist.Result r = deploy("many");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            "environments.many: services: the environment has 2 web nodes and no db node",
            "add 'db: NODE' to the environment");
  }

  @Test
  @Order(2)
  void aDbNodeOfItsOwnIsRefusedWithUploads() throws Exception {
    Hoist.Result r = deploy("split");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("keeps the app's data on '" + systemd.name() + "'");
  }

  @Test
  @Order(3)
  void runitNodeGetsEveryServiceAndKeepsData() throws Exception {
    servesAndKeeps("rn", runit, "hoist-postgresql");
  }

  @Test
  @Order(4)
  void systemdNodeGetsEveryServiceAndKeepsData() throws Exception {
    servesAndKeeps("sd", systemd, "postgresql@15-main");
    Hoist.Result units =
        LabNodes.ssh("root", systemd, "systemctl is-active postgresql@15-main hoist-redis-" + APP);
    assertThat(units.out()).isEqualTo("active\nactive\n");
  }

  @Test
  @Order(5)
  void droppedServicesStopServingTheAppAndItsDataStays() throws Exception {
    // The same app, now plain WSGI code that needs none of them.
    hello = Hoist.copyExample("hello", "hello", APP, Files.createDirectories(tmp.resolve("p")));
    Path yml = hello.resolve("hoist.yml");
    base =
        Files.readString(yml)
            + LabNodes.nodesYaml("deploy", List.of(runit))
            + "\nenvironments:\n  rn: ["
            + runit.name()
            + "]\n";
    Files.writeString(yml, base + "services: [postgres]\n");

    Hoist.Result r = Hoist.run("deploy", hello.toString(), "--env", "rn");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(root("cat /srv/" + APP + "/etc/services"))
        .contains("DATABASE_URL=")
        .doesNotContain("REDIS_URL", "UPLOADS_DIR");
    assertThat(LabNodes.ssh("root", runit, "test -e /etc/service/hoist-redis-" + APP).exit())
        .isNotZero();
    assertThat(LabNodes.ssh("root", runit, "test -e /etc/sv/hoist-redis-" + APP).exit())
        .isNotZero();
    assertThat(root("ls /var/lib/hoist/redis/" + APP)).contains("dump.rdb");

    Files.writeString(yml, base);
    Hoist.Result plan = Hoist.run("plan", hello.toString(), "--env", "rn");
    assertThat(plan.exit()).as(plan.all()).isZero();
    assertThat(plan.out()).contains("stop serving the app's backing services");

    Hoist.Result none = Hoist.run("deploy", hello.toString(), "--env", "rn");

    assertThat(none.exit()).as(none.all()).isZero();
    assertThat(root("cat /srv/" + APP + "/etc/services")).doesNotContain("DATABASE_URL");
    assertThat(root("grep -c " + APP + " /etc/postgresql/15/main/pg_hba.conf || true"))
        .isEqualTo("0\n");
    assertThat(
            LabNodes.ssh("root", runit, "test -e /etc/hoist/services/" + APP + "/services.json")
                .exit())
        .isNotZero();
    // The data stays: the database and its rows, the uploads; PostgreSQL still runs for others.
    assertThat(
            root(
                "su postgres -s /bin/sh -c \"psql -d "
                    + APP
                    + " -tAc 'SELECT count(*) FROM notes_note'\""))
        .isEqualTo("1\n");
    assertThat(root("ls /srv/" + APP + "/shared/uploads")).contains("f-rn.txt");
    assertThat(root("sv status /etc/service/hoist-postgresql")).startsWith("run: ");

    Hoist.Result again = Hoist.run("plan", hello.toString(), "--env", "rn");
    assertThat(again.out()).doesNotContain("backing services", "Redis");
  }

  @Test
  @Order(6)
  void purgeDeletesWhatTheDroppedServicesLeftAndTheAppKeepsServing() throws Exception {
    Path yml = hello.resolve("hoist.yml");
    Files.writeString(yml, base + "services: [redis]\n");
    Hoist.Result served = purge("redis", "--yes");
    assertThat(served.exit()).as(served.all()).isEqualTo(2);
    assertThat(served.err()).contains("services: still has redis", "nothing was deleted");
    Files.writeString(yml, base);

    Hoist.Result preview = purge("postgres", "redis", "files");

    assertThat(preview.exit()).as(preview.all()).isEqualTo(2);
    assertThat(preview.out())
        .contains(
            "database " + APP + " (",
            "role " + APP,
            "instance hoist-redis-" + APP + ": ",
            " keys in /var/lib/hoist/redis/" + APP + " (",
            "/srv/" + APP + "/shared/uploads (",
            "rerun with --yes",
            "hoist services purge " + hello + " postgres redis files --env rn --yes");
    assertThat(databases()).contains(APP);

    Hoist.Result yes = purge("postgres", "redis", "files", "--yes");

    assertThat(yes.exit()).as(yes.all()).isZero();
    assertThat(yes.out()).contains("purged from " + runit.name());
    assertThat(databases()).doesNotContain(APP);
    assertThat(root(psql("SELECT count(*) FROM pg_roles WHERE rolname = '" + APP + "'")))
        .isEqualTo("0\n");
    for (String gone :
        List.of(
            "/var/lib/hoist/redis/" + APP,
            "/srv/" + APP + "/shared/uploads",
            "/etc/hoist/services/" + APP + "/redis.acl",
            "/etc/hoist/services/" + APP + "/credentials.json")) {
      assertThat(LabNodes.ssh("root", runit, "test -e " + gone).exit()).as(gone).isNotZero();
    }
    assertThat(curl(runit, "/")).startsWith("Hello from hoist!");
    assertThat(root("sv status /etc/service/hoist-postgresql")).startsWith("run: ");

    Hoist.Result again = purge("postgres", "redis", "files", "--yes");
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out()).contains("nothing to purge");
  }

  @Test
  @Order(7)
  void onSystemdADroppedRedisStopsItsUnitThenPurgeDeletesItsData() throws Exception {
    Path p = Hoist.copyExample("hello", "hello", APP, Files.createDirectories(tmp.resolve("p2")));
    Path yml = p.resolve("hoist.yml");
    Files.writeString(
        yml,
        Files.readString(yml)
            + LabNodes.nodesYaml("deploy", List.of(systemd))
            + "\nenvironments:\n  sd: ["
            + systemd.name()
            + "]\nservices: [postgres]\n");

    Hoist.Result r = Hoist.run("deploy", p.toString(), "--env", "sd");

    assertThat(r.exit()).as(r.all()).isZero();
    String unit = "hoist-redis-" + APP;
    assertThat(LabNodes.ssh("root", systemd, "systemctl is-active " + unit).out())
        .isNotEqualTo("active\n");
    assertThat(
            LabNodes.ssh("root", systemd, "test -e /etc/systemd/system/" + unit + ".service")
                .exit())
        .isNotZero();
    assertThat(LabNodes.ssh("root", systemd, "ls /var/lib/hoist/redis/" + APP).out())
        .contains("dump.rdb");

    Hoist.Result purged =
        Hoist.run("services", "purge", p.toString(), "redis", "--env", "sd", "--yes");

    assertThat(purged.exit()).as(purged.all()).isZero();
    assertThat(LabNodes.ssh("root", systemd, "test -e /var/lib/hoist/redis/" + APP).exit())
        .isNotZero();
    assertThat(LabNodes.ssh("root", systemd, "systemctl is-active postgresql@15-main").out())
        .isEqualTo("active\n");
  }

  static Hoist.Result purge(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("services", "purge", hello.toString()));
    argv.addAll(List.of(args));
    argv.addAll(List.of("--env", "rn"));
    return Hoist.run(argv.toArray(String[]::new));
  }

  static String psql(String sql) {
    return "su postgres -s /bin/sh -c \"psql -tAc \\\"" + sql + "\\\"\"";
  }

  /** The databases of lab1's PostgreSQL, as `psql -l` lists them. */
  static String databases() throws Exception {
    return root("su postgres -s /bin/sh -c 'psql -lqt' | cut -d'|' -f1 | tr -d ' '");
  }

  static String root(String script) throws Exception {
    Hoist.Result r = LabNodes.ssh("root", runit, script);
    assertThat(r.exit()).as(script + "\n" + r.all()).isZero();
    return r.out();
  }

  private static void servesAndKeeps(String env, LabNodes.Node node, String postgres)
      throws Exception {
    Hoist.Result first = deploy(env);
    assertThat(first.exit()).as(first.all()).isZero();
    String active =
        LabNodes.ssh(
                "root",
                node,
                "systemctl is-active "
                    + postgres
                    + " 2>/dev/null || sv status /etc/service/"
                    + postgres)
            .out();
    assertThat(active).containsAnyOf("active", "run: ");

    curl(node, "-d", "text=over ssh", "-d", "tag=x", "/api/notes");
    curl(node, "--data-binary", "v", "/api/keys/k");
    Path file = tmp.resolve("f-" + env + ".txt");
    Files.writeString(file, "uploaded to " + env + "\n");
    curl(node, "-F", "file=@" + file, "/upload");
    String state = curl(node, "/api/state");
    assertThat(state)
        .contains("\"notes_note\": {\"count\": 1", "\"app:k\": \"76\"", "\"f-" + env + ".txt\"");
    assertThat(curl(node, "/uploads/f-" + env + ".txt")).isEqualTo("uploaded to " + env + "\n");

    Hoist.Result again = deploy(env);
    assertThat(again.exit()).as(again.all()).isZero();
    // run_once hooks make it a rolling deploy, which reports an unchanged node so.
    assertThat(again.all()).contains("nothing to roll out: every node already serves this code");
    assertThat(curl(node, "/api/state")).isEqualTo(state);
  }
}
