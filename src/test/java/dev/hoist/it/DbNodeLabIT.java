package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * examples/django-postgres (without uploads) with its data on a db node of its own: lab1 serves the
 * app, lab2 holds PostgreSQL and Redis. The data phase converges lab2 first; the app on lab1 writes
 * through it; lab2 answers lab1 and refuses this machine (an address not listed); a no-op is one
 * round trip per node; backup, then restore with the web node's 503 window (the swap and reload
 * only: under 2 s).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DbNodeLabIT {
  private static final String APP = "labdb";
  private static final String HOST = APP + ".test";

  @TempDir static Path tmp;
  static LabNodes.Node web;
  static LabNodes.Node db;
  static Path project;

  @BeforeAll
  static void lab() throws Exception {
    List<LabNodes.Node> nodes = LabNodes.up(2);
    web = nodes.get(0);
    db = nodes.get(1);
    project = Hoist.copyExample("django-postgres", "django-pg", APP, tmp);
    Path yml = project.resolve("hoist.yml");
    Hoist.replace(yml, "  files: {url: /uploads, max_size: 10m}\n", "");
    Files.writeString(
        yml,
        Files.readString(yml)
            + LabNodes.inventory(
                nodes, "split: {web: [" + web.name() + "], db: " + db.name() + "}"));
  }

  @AfterAll
  static void down() throws Exception {
    // PostgreSQL, Redis and nginx hold ports on lab1 and lab2: later classes get clean nodes.
    LabNodes.down();
  }

  static Hoist.Result deploy(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("deploy", project.toString(), "--env", "split"));
    args.addAll(List.of(extra));
    return Hoist.run(args.toArray(String[]::new));
  }

  /** A deploy with HOIST_TRACE, which marks every agent run (a rolling deploy counts none). */
  static Hoist.Result tracedDeploy() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            System.getProperty("hoist.jar", "target/hoist.jar"),
            "deploy",
            project.toString(),
            "--env",
            "split");
    pb.environment().put("NO_COLOR", "1");
    pb.environment().put("HOIST_TRACE", "1");
    pb.environment()
        .put("HOIST_TEMPLATES", Files.createTempDirectory("hoist-templates").toString());
    return Hoist.capture(pb, "hoist deploy (traced)");
  }

  /** "NODE: agent probe|apply", one per agent run, in order. */
  static List<String> agentRuns(Hoist.Result traced) {
    return traced
        .err()
        .lines()
        .filter(l -> l.contains(": agent "))
        .map(l -> l.replaceAll("^trace +[0-9]+ ms +", ""))
        .toList();
  }

  static String curl(String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-H", "Host: " + HOST));
    argv.addAll(List.of(args));
    argv.set(argv.size() - 1, "http://" + web.address() + argv.getLast());
    Hoist.Result r = Hoist.capture(new ProcessBuilder(argv), "curl");
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  @Test
  @Order(1)
  void theDbNodeIsConvergedFirstAndTheAppWritesThroughIt() throws Exception {
    Hoist.Result first = deploy();
    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(first.err())
        .contains(db.name() + " (data node): ")
        .contains("PostgreSQL and Redis at " + db.address() + " for " + web.address());
    // No app, gunicorn or nginx site on the db node; no PostgreSQL on the web node.
    assertThat(LabNodes.ssh("root", db, "ls /srv /etc/nginx/sites-enabled 2>&1; id " + APP).out())
        .doesNotContain("hoist-" + APP)
        .doesNotContain("uid=");
    assertThat(
            LabNodes.ssh("root", web, "test -e /etc/postgresql/15/main && echo pg || echo none")
                .out())
        .isEqualTo("none\n");
    assertThat(LabNodes.ssh("root", web, "stat -c '%U:%G %a' /srv/" + APP + "/etc/services").out())
        .isEqualTo("root:" + APP + " 640\n");

    curl("-d", "text=on the db node", "-d", "tag=x", "/api/notes");
    curl("--data-binary", "v", "/api/keys/k");
    String state = curl("/api/state");
    assertThat(state).contains("\"notes_note\": {\"count\": 1", "\"app:k\": \"76\"");

    // No password in anything the deploy printed.
    String creds =
        LabNodes.ssh("root", db, "cat /etc/hoist/services/" + APP + "/credentials.json").out();
    JsonNode c = new ObjectMapper().readTree(creds);
    assertThat(first.all())
        .doesNotContain(c.path("postgres").path("password").asText())
        .doesNotContain(c.path("redis").path("password").asText());
  }

  @Test
  @Order(2)
  void theDbNodeAnswersTheWebNodeOnlyAndRedisWantsAPassword() throws Exception {
    String probe =
        """
        import socket, sys
        try:
            import psycopg2
            psycopg2.connect(host=sys.argv[1], port=5432, user="labdb", password="x", dbname="labdb", connect_timeout=5)
            print("pg: connected")
        except Exception as e:
            print("pg: " + str(e).strip().splitlines()[0])
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
        s.sendall(b"*1\\r\\n$4\\r\\nPING\\r\\n")
        print("redis: " + s.recv(200).decode().strip())
        """;
    String port =
        LabNodes.ssh("root", db, "sed -n 's/^port //p' /etc/hoist/services/" + APP + "/redis.conf")
            .out()
            .strip();
    Path script = tmp.resolve("probe.py");
    Files.writeString(script, probe);
    // From this machine: an address the db node does not list.
    Hoist.Result here =
        Hoist.capture(
            new ProcessBuilder("/usr/bin/python3", script.toString(), db.address(), port), "probe");
    assertThat(here.out())
        .contains("pg: ")
        .containsPattern("no pg_hba.conf entry for host|password authentication failed")
        .doesNotContain("pg: connected")
        .contains("redis: -NOAUTH");
    assertThat(here.out()).contains("no pg_hba.conf entry for host");
    // From the web node: PostgreSQL answers (a wrong password is refused, not the address).
    Hoist.Result fromWeb =
        LabNodes.ssh(
            "root", web, "python3 - " + db.address() + " " + port + " <<'EOF'\n" + probe + "EOF\n");
    assertThat(fromWeb.out())
        .as(fromWeb.all())
        .contains("pg: ")
        .contains("password authentication failed")
        .contains("redis: -NOAUTH");
  }

  @Test
  @Order(3)
  void aNoOpIsOneRoundTripPerNode() throws Exception {
    Hoist.Result again = tracedDeploy();
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.all())
        .contains(db.name() + " (data node): unchanged, 1 round trip")
        .contains("nothing to roll out: every node already serves this code");
    // The data node first: one probe, nothing applied. Then the app node costs what a rolling
    // no-op (run_once hooks) costs without a db node: the environment lock taken, its record read,
    // one probe of the stack, the lock released; nothing of the stack applied.
    assertThat(agentRuns(again))
        .as(again.err())
        .containsExactly(
            db.name() + ": agent probe",
            web.name() + ": agent apply",
            web.name() + ": agent probe",
            web.name() + ": agent probe",
            web.name() + ": agent apply");
    assertThat(again.err().lines().filter(l -> l.endsWith(web.name() + " probed"))).hasSize(1);
    assertThat(again.err()).contains("every node already serves this code");
  }

  @Test
  @Order(4)
  void backupThenRestoreWithTheWebNodesWindow() throws Exception {
    String before = curl("/api/state");
    Path bundle = tmp.resolve("labdb.hoistbak");
    Hoist.Result backup =
        Hoist.run("backup", project.toString(), "--env", "split", "-o", bundle.toString());
    assertThat(backup.exit()).as(backup.all()).isZero();
    curl("-d", "text=after the backup", "-d", "tag=y", "/api/notes");
    assertThat(curl("/api/state")).isNotEqualTo(before);

    Hoist.Result restore =
        Hoist.run("restore", bundle.toString(), project.toString(), "--env", "split", "--yes");
    assertThat(restore.exit()).as(restore.all()).isZero();
    System.out.println("DbNodeLabIT restore: " + restore.all());
    assertThat(restore.out()).contains("restored " + APP + " on " + db.name());
    // The flag went on only once lab2 had staged everything: the window is the swap and the
    // reload, not the transfer.
    java.util.regex.Matcher window =
        java.util.regex.Pattern.compile("the 503 window was ([0-9.]+)s").matcher(restore.out());
    assertThat(window.find()).as(restore.out()).isTrue();
    System.out.println("DbNodeLabIT 503 window: " + window.group(1) + " s");
    assertThat(Double.parseDouble(window.group(1))).as(restore.out()).isLessThan(2.0);
    // The flag is off again on the web node, and the app serves the restored data.
    assertThat(LabNodes.ssh("root", web, "ls /etc/hoist/maintenance/").out()).isEmpty();
    String after = "";
    for (int i = 0; i < 20 && !after.equals(before); i++) {
      after = curl("/api/state");
      if (!after.equals(before)) {
        Thread.sleep(500);
      }
    }
    assertThat(after).isEqualTo(before);
  }

  @Test
  @Order(5)
  void planShowsTheDbNodeFirstAndNoServicesOnTheWebNode() throws Exception {
    Hoist.Result plan = Hoist.run("plan", project.toString(), "--env", "split");
    assertThat(plan.exit()).as(plan.all()).isZero();
    assertThat(plan.err()).contains(db.name() + " (data node): no changes");
    assertThat(plan.all()).doesNotContain("postgresql").doesNotContain("redis-server");
  }

  @Test
  @Order(6)
  void withoutServicesTheDbNodeStopsServingTheAppKeepsTheDataThenPurgeDeletesIt() throws Exception {
    // The same app, now plain WSGI code with no services:; db: stays in the inventory.
    project = Hoist.copyExample("hello", "hello", APP, Files.createDirectories(tmp.resolve("h")));
    Path yml = project.resolve("hoist.yml");
    List<LabNodes.Node> nodes = List.of(web, db);
    Files.writeString(
        yml,
        Files.readString(yml)
            + LabNodes.inventory(
                nodes, "split: {web: [" + web.name() + "], db: " + db.name() + "}"));
    String port =
        root(db, "sed -n 's/^port //p' /etc/hoist/services/" + APP + "/redis.conf").strip();
    assertThat(root(db, "grep -c ' " + APP + " ' /etc/postgresql/15/main/pg_hba.conf"))
        .isNotEqualTo("0\n");

    Hoist.Result plan = Hoist.run("plan", project.toString(), "--env", "split");
    assertThat(plan.exit()).as(plan.all()).isZero();
    assertThat(plan.err())
        .contains(
            db.name() + " (data node): 1 to change",
            "stop serving the app's backing services",
            "the data stays",
            "'hoist services purge' deletes them");

    Hoist.Result retired = deploy();

    assertThat(retired.exit()).as(retired.all()).isZero();
    assertThat(retired.err())
        .contains(db.name() + " (data node): 1 changed: services: left hoist.yml");
    assertThat(curl("/")).startsWith("Hello from hoist!");
    // The db node no longer lets the app's role in, lists the app or runs its Redis.
    assertThat(root(db, "grep -c ' " + APP + " ' /etc/postgresql/15/main/pg_hba.conf || true"))
        .isEqualTo("0\n");
    assertThat(root(db, "ls /etc/hoist/services/" + APP)).doesNotContain("services.json");
    assertThat(root(db, "ls /etc/service /etc/sv")).doesNotContain("hoist-redis-" + APP);
    assertThat(
            root(
                db,
                "python3 -c 'import socket; print(socket.socket().connect_ex((\"127.0.0.1\", "
                    + port
                    + ")))'"))
        .isNotEqualTo("0\n");
    assertThat(root(db, "cat /etc/hoist/services/" + APP + "/app.env"))
        .doesNotContain("DATABASE_URL", "REDIS_URL");
    // The data stays; PostgreSQL still runs (other apps may use it).
    assertThat(root(db, psql(APP, "SELECT count(*) > 0 FROM notes_note"))).isEqualTo("t\n");
    assertThat(root(db, "ls /var/lib/hoist/redis/" + APP)).contains("dump.rdb");
    assertThat(root(db, "sv status /etc/service/hoist-postgresql")).startsWith("run: ");

    // A no-op: the db node is probed once (nothing listed any more) and nothing applied.
    long start = System.nanoTime();
    Hoist.Result again = tracedDeploy();
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(again.exit()).as(again.all()).isZero();
    System.out.printf(
        "DbNodeLabIT no-op deploy after retiring: %.1f s; %s%n",
        seconds, again.err().lines().filter(l -> l.contains("(data node)")).toList());
    assertThat(again.err()).contains(db.name() + " (data node): unchanged, 1 round trip");
    assertThat(agentRuns(again))
        .filteredOn(r -> r.startsWith(db.name() + ":"))
        .containsExactly(db.name() + ": agent probe");

    // Nothing lists the services there now: purge deletes their data.
    Hoist.Result purged =
        Hoist.run(
            "services",
            "purge",
            project.toString(),
            "postgres",
            "redis",
            "--env",
            "split",
            "--yes");

    assertThat(purged.exit()).as(purged.all()).isZero();
    assertThat(purged.out()).contains("purged from " + db.name());
    assertThat(
            root(
                db,
                psql("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + APP + "'")))
        .isEqualTo("0\n");
    assertThat(LabNodes.ssh("root", db, "test -e /var/lib/hoist/redis/" + APP).exit()).isNotZero();
    assertThat(curl("/")).startsWith("Hello from hoist!");
  }

  static String root(LabNodes.Node node, String command) throws Exception {
    Hoist.Result r = LabNodes.ssh("root", node, command);
    assertThat(r.exit()).as(command + ": " + r.all()).isZero();
    return r.out();
  }

  static String psql(String database, String query) {
    return "su postgres -s /bin/sh -c \"psql -d " + database + " -tAc \\\"" + query + "\\\"\"";
  }
}
