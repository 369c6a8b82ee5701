package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An app's data across lab nodes, checked the way a user would: examples/django-postgres on a runit
 * node (lab1, environment {@code rn}) and a systemd node (sd1, environment {@code sd}), each backed
 * up and drilled every minute by its own scheduler ({@code hoist backups}, {@code hoist check} OK,
 * then WARNING once the drill check fails); {@code hoist migrate --from-env rn --to-env sd},
 * refused while sd1 holds data, then with --yes sd1's app serves exactly lab1's rows, keys and
 * files. Beside it, a minute cron job of examples/hello in a two-node systemd environment (sd1 web,
 * sd2 worker) runs from its timer once a minute on sd2 only, and {@code hoist status} and {@code
 * hoist logs} show it. Last, sd1 copies its scheduled bundles to sd2 ({@code backup.to} between
 * systemd nodes) and {@code hoist status} shows its services. One class so the minutes the
 * schedules need overlap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DataLabIT {
  static final String APP = "labdata";
  static final String CRON_APP = "labcron";
  static final String TIMER = "hoist-cron-" + CRON_APP + "-tick";
  static final ObjectMapper JSON = new ObjectMapper();
  // A scheduled run starts at the next minute; a backup and drill of a small app takes seconds.
  static final Duration WAIT = Duration.ofSeconds(150);
  static final String BACKUP =
      "backup:\n  schedule: \"* * * * *\"\n  keep: 2\n  drill: true\n"
          + "  drill_check: {sql: \"SELECT count(*) FROM notes_note\"}\n";

  @TempDir static Path tmp;
  static LabNodes.Node lab1;
  static LabNodes.Node sd1;
  static LabNodes.Node sd2;
  static Path data;
  static String dataSpec;
  static Path cron;
  static Instant cronDeployed;

  @BeforeAll
  static void lab() throws Exception {
    lab1 = LabNodes.up(1).getFirst();
    List<LabNodes.Node> sd = LabNodes.upSystemd(2);
    sd1 = sd.get(0);
    sd2 = sd.get(1);
    List<LabNodes.Node> all = List.of(lab1, sd1, sd2);

    data = Hoist.copyExample("django-postgres", "django-pg", APP, tmp);
    dataSpec =
        Files.readString(data.resolve("hoist.yml"))
            + LabNodes.inventory(all, "rn: [" + lab1.name() + "]", "sd: [" + sd1.name() + "]");
    Files.writeString(data.resolve("hoist.yml"), dataSpec + BACKUP);

    cron = Hoist.copyExample("hello", "hello", CRON_APP, tmp);
    Files.writeString(
        cron.resolve("hoist.yml"),
        Files.readString(cron.resolve("hoist.yml"))
            + "shared: [data]\n"
            + "cron:\n  tick:\n    schedule: \"* * * * *\"\n"
            + "    command: [sh, -c, 'echo \"$(date -u +%H:%M) $(hostname)\" >>"
            + " $HOIST_SHARED/data/ticks; echo \"tick on $(hostname)\"']\n"
            + LabNodes.inventory(
                all,
                "two: {web: ["
                    + sd1.name()
                    + ", "
                    + sd2.name()
                    + "], worker: ["
                    + sd2.name()
                    + "]}"));
  }

  @AfterAll
  static void down() throws Exception {
    // PostgreSQL, Redis and nginx hold ports on the nodes: gone, so later classes get clean nodes.
    LabNodes.down();
  }

  static Hoist.Result deploy(Path project, String env) throws Exception {
    return Hoist.run("deploy", project.toString(), "--env", env);
  }

  /** Deploys the data app to both environments at once (each its own node). */
  static void deployBoth() throws Exception {
    CompletableFuture<Hoist.Result> rn = CompletableFuture.supplyAsync(() -> deployQuietly("rn"));
    Hoist.Result sd = deploy(data, "sd");
    assertThat(rn.get().exit()).as(rn.get().all()).isZero();
    assertThat(sd.exit()).as(sd.all()).isZero();
  }

  private static Hoist.Result deployQuietly(String env) {
    try {
      return deploy(data, env);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String curl(LabNodes.Node node, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-H", "Host: " + APP + ".test"));
    argv.addAll(List.of(args));
    argv.set(argv.size() - 1, "http://" + node.address() + argv.getLast());
    Hoist.Result r = Hoist.capture(new ProcessBuilder(argv), "curl");
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  static JsonNode state(LabNodes.Node node) throws Exception {
    return JSON.readTree(curl(node, "/api/state"));
  }

  static JsonNode backups(String env) throws Exception {
    Hoist.Result r = Hoist.run("backups", data.toString(), "--env", env, "--json");
    assertThat(r.exit()).as(r.all()).isZero();
    return JSON.readTree(r.out());
  }

  /** Waits (bounded) for a scheduled run in {@code env} that started after {@code after}. */
  static JsonNode runAfter(String env, Instant after) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      JsonNode s = backups(env);
      JsonNode run = s.path("last_scheduled");
      if (run.has("finished") && Instant.parse(run.path("started").asText()).isAfter(after)) {
        return s;
      }
      Thread.sleep(3000);
    }
    throw new AssertionError("no scheduled run in " + env + " finished within " + WAIT);
  }

  /** Waits until the middle of a minute, so a command by hand does not meet a scheduled run. */
  static void betweenRuns() throws InterruptedException {
    int second = Instant.now().atZone(ZoneOffset.UTC).getSecond();
    if (second < 20 || second > 40) {
      Thread.sleep(((80 - second) % 60) * 1000L);
    }
  }

  @Test
  @Order(1)
  void theCronJobIsInstalledOnTheWorkerOnlyAsASystemdTimer() throws Exception {
    cronDeployed = Instant.now();
    Hoist.Result r = deploy(cron, "two");
    assertThat(r.exit()).as(r.all()).isZero();

    assertThat(LabNodes.ssh("root", sd2, "systemctl is-active " + TIMER + ".timer").out())
        .isEqualTo("active\n");
    assertThat(
            LabNodes.ssh("root", sd1, "systemctl cat " + TIMER + ".timer >/dev/null 2>&1").exit())
        .as("no timer on the web node")
        .isNotZero();
    assertThat(LabNodes.ssh("root", sd1, "test -e /etc/hoist/cron/" + CRON_APP).exit()).isNotZero();
  }

  @Test
  @Order(2)
  void theDataAppDeploysOnBothKindsOfNodeAndTakesDataOverHttp() throws Exception {
    deployBoth();

    for (int i = 0; i < 5; i++) {
      curl(lab1, "-d", "text=note " + i + " on lab1", "-d", "tag=t" + (i % 2), "/api/notes");
      curl(lab1, "--data-binary", "value-" + i, "/api/keys/k" + i);
    }
    Path text = tmp.resolve("notes.txt");
    Files.writeString(text, "uploaded to lab1\n");
    Path binary = tmp.resolve("blob.bin");
    byte[] bytes = new byte[300_000];
    new java.util.Random(7).nextBytes(bytes);
    Files.write(binary, bytes);
    curl(lab1, "-F", "file=@" + text, "/upload");
    curl(lab1, "-F", "file=@" + binary, "/upload");
    // sd1 holds data of its own, which a migration must not replace without --yes.
    curl(sd1, "-d", "text=only on sd1", "-d", "tag=sd", "/api/notes");

    JsonNode a = state(lab1);
    assertThat(a.path("tables").path("notes_note").path("count").asInt()).isEqualTo(5);
    assertThat(a.path("keys").size()).isEqualTo(5);
    assertThat(a.path("files").fieldNames()).toIterable().contains("notes.txt", "blob.bin");
    assertThat(state(sd1).path("tables").path("notes_note").path("count").asInt()).isEqualTo(1);
  }

  @Test
  @Order(3)
  void eachNodesOwnSchedulerBacksUpVerifiesAndDrills() throws Exception {
    Instant since = Instant.now();
    for (String env : List.of("rn", "sd")) {
      JsonNode s = runAfter(env, since);

      JsonNode run = s.path("last_scheduled");
      assertThat(run.path("ok").asBoolean()).as(env + ": " + run).isTrue();
      JsonNode newest = s.path("backups").get(0);
      assertThat(newest.path("name").asText()).startsWith(APP + "-").endsWith(".hoistbak");
      assertThat(newest.path("verified").asBoolean()).as(env).isTrue();
      assertThat(s.path("last_drill").path("ok").asBoolean()).as(env).isTrue();

      Hoist.Result check = Hoist.run("check", data.toString(), "--env", env);
      assertThat(check.exit()).as(check.all()).isZero();
      assertThat(check.out()).startsWith("HOIST OK - ").containsPattern("backup_age=[0-9]+s;90");
    }
    // The runit node's job is a runit service, the systemd node's a timer.
    assertThat(
            LabNodes.ssh("root", lab1, "sv status /etc/service/hoist-cron-" + APP + "-hoist-backup")
                .out())
        .startsWith("run: ");
    assertThat(
            LabNodes.ssh(
                    "root", sd1, "systemctl is-active hoist-cron-" + APP + "-hoist-backup.timer")
                .out())
        .isEqualTo("active\n");
  }

  @Test
  @Order(4)
  void migrateRefusesATargetThatHoldsDataWithoutYes() throws Exception {
    JsonNode before = state(sd1);
    betweenRuns();

    Hoist.Result r = Hoist.run("migrate", data.toString(), "--from-env", "rn", "--to-env", "sd");

    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains("already has data here").contains("add --yes");
    assertThat(state(sd1)).isEqualTo(before);
  }

  @Test
  @Order(5)
  void migrateWithYesMakesTheTargetServeTheSourcesData() throws Exception {
    JsonNode source = state(lab1);
    betweenRuns();

    Hoist.Result r =
        Hoist.run("migrate", data.toString(), "--from-env", "rn", "--to-env", "sd", "--yes");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("migrated " + APP + "'s data from lab1 to sd1").contains("kept");
    // Every table's count and checksum, every key and value, every file's sha256 (read again for
    // a few seconds while the reloaded app's workers are replaced).
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(state(sd1)).isEqualTo(source));
    assertThat(state(lab1)).as("the source is only read").isEqualTo(source);
    assertThat(curl(sd1, "/uploads/notes.txt")).isEqualTo("uploaded to lab1\n");
  }

  @Test
  @Order(6)
  void migrateByNodeNamesGoesBackFromTheSystemdNodeToTheRunitNode() throws Exception {
    curl(sd1, "-d", "text=written on sd1 after the move", "-d", "tag=sd", "/api/notes");
    curl(sd1, "--data-binary", "from sd1", "/api/keys/moved");
    JsonNode source = state(sd1);
    assertThat(source.path("tables").path("notes_note").path("count").asInt()).isEqualTo(6);
    betweenRuns();

    Hoist.Result r =
        Hoist.run("migrate", data.toString(), "--from", sd1.name(), "--to", lab1.name(), "--yes");

    assertThat(r.exit()).as(r.all()).isZero();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(state(lab1)).isEqualTo(source));
  }

  @Test
  @Order(7)
  void aFailingDrillCheckIsWarningOnBothNodes() throws Exception {
    Files.writeString(
        data.resolve("hoist.yml"),
        dataSpec + BACKUP.replace("SELECT count(*) FROM notes_note", "SELECT * FROM no_such"));
    deployBoth();
    // A run that starts after the deploy reads the new check.
    Instant deployed = Instant.now();

    for (String env : List.of("rn", "sd")) {
      JsonNode s = runAfter(env, deployed);
      assertThat(s.path("last_scheduled").path("ok").asBoolean()).as(env).isFalse();
      assertThat(s.path("last_scheduled").path("error").asText())
          .as(env)
          .startsWith("drill failed");

      Hoist.Result check = Hoist.run("check", data.toString(), "--env", env);
      assertThat(check.exit()).as(check.all()).isEqualTo(1);
      assertThat(check.out())
          .startsWith("HOIST WARNING - " + APP + " backups: newest backup")
          .contains("the last drill failed");
    }
  }

  @Test
  @Order(8)
  void theCronJobRanOnceAMinuteOnTheWorkerAndStatusAndLogsShowIt() throws Exception {
    long minutes = Duration.between(cronDeployed, Instant.now()).toMinutes();
    assertThat(minutes).as("the tests above take a few minutes").isGreaterThanOrEqualTo(2);

    List<String> ticks =
        LabNodes.ssh("root", sd2, "cat /srv/" + CRON_APP + "/shared/data/ticks")
            .out()
            .lines()
            .toList();
    assertThat(ticks).allMatch(t -> t.endsWith(" " + sd2.name()));
    List<String> times = ticks.stream().map(t -> t.substring(0, 5)).toList();
    assertThat(times).as("once per minute").doesNotHaveDuplicates();
    // Every minute since the first run, none skipped (and the run of the current minute may be
    // under way).
    assertThat((long) times.size()).isBetween(minutes - 1, minutes + 1);
    for (int i = 1; i < times.size(); i++) {
      assertThat(minuteOfDay(times.get(i)) - minuteOfDay(times.get(i - 1)))
          .as(times.toString())
          .isIn(1, 1 - 24 * 60);
    }
    assertThat(LabNodes.ssh("root", sd1, "test -e /srv/" + CRON_APP + "/shared/data/ticks").exit())
        .as("never on the web node")
        .isNotZero();

    Hoist.Result status = Hoist.run("status", cron.toString(), "--env", "two", "--json");
    assertThat(status.exit()).as(status.all()).isZero();
    int withJobs = 0;
    for (JsonNode n : JSON.readTree(status.out()).path("nodes")) {
      JsonNode jobs = n.path("result").path("jobs");
      if (!n.path("node").asText().equals(sd2.name())) {
        assertThat(jobs).as(n.path("node").asText()).isEmpty();
        continue;
      }
      withJobs++;
      JsonNode tick = jobs.get(0);
      assertThat(tick.path("name").asText()).isEqualTo("tick");
      assertThat(tick.path("schedule").asText()).isEqualTo("* * * * *");
      assertThat(tick.path("result").asText()).isIn("ok", "running");
      if (tick.path("result").asText().equals("ok")) {
        assertThat(tick.path("exit").asInt()).isZero();
        assertThat(tick.path("durationSeconds").asDouble()).isBetween(0.0, 30.0);
      }
      assertThat(Instant.parse(tick.path("lastStart").asText())).isAfter(cronDeployed);
    }
    assertThat(withJobs).isEqualTo(1);
    Hoist.Result text = Hoist.run("status", cron.toString(), "--env", "two");
    assertThat(text.out()).contains("tick");

    Hoist.Result logs = Hoist.run("logs", cron.toString(), "--env", "two", "-n", "50");
    assertThat(logs.exit()).as(logs.all()).isZero();
    assertThat(logs.out()).contains("tick on " + sd2.name());
  }

  @Test
  @Order(9)
  void aSystemdDataNodeCopiesItsBundlesToAnotherSystemdNode() throws Exception {
    // Only sd is deployed with it: lab1's job keeps its own config.
    Files.writeString(
        data.resolve("hoist.yml"), dataSpec + BACKUP + "  to: {node: " + sd2.name() + "}\n");
    Hoist.Result r = deploy(data, "sd");
    assertThat(r.exit()).as(r.all()).isZero();
    // sd1's own directory there, named from its host key (docs/backups.md).
    Matcher ready =
        Pattern.compile(
                "backup copies: "
                    + sd2.name()
                    + ":(/var/lib/hoist-backup/nodes/"
                    + sd1.name()
                    + "-[0-9a-f]{10}/"
                    + APP
                    + ") ready for "
                    + sd1.name())
            .matcher(r.out());
    assertThat(ready.find()).as(r.out()).isTrue();
    String copies = ready.group(1);
    Instant deployed = Instant.now();

    JsonNode s = runAfter("sd", deployed);

    JsonNode run = s.path("last_scheduled");
    assertThat(run.path("ok").asBoolean()).as(run.toString()).isTrue();
    assertThat(run.path("copied").asBoolean()).as(run.toString()).isTrue();
    String name = run.path("bundle").asText();
    String local =
        LabNodes.ssh("root", sd1, "sha256sum /var/backups/hoist/" + APP + "/" + name)
            .out()
            .split(" ")[0];
    Hoist.Result copy = LabNodes.ssh("root", sd2, "sha256sum " + copies + "/" + name);
    assertThat(copy.exit()).as(copy.all()).isZero();
    assertThat(copy.out().split(" ")[0]).isEqualTo(local);

    // hoist status tells each service on the systemd data node, the newest backup and the drill.
    Hoist.Result status = Hoist.run("status", data.toString(), "--env", "sd", "--json");
    assertThat(status.exit()).as(status.all()).isZero();
    JsonNode services = JSON.readTree(status.out()).path("data").path("services");
    for (String service : List.of("postgres", "redis", "files")) {
      assertThat(services.path(service).path("running").asBoolean())
          .as(service + ": " + services)
          .isTrue();
    }
    assertThat(services.path("postgres").path("version").asText()).startsWith("15.");
    Hoist.Result text = Hoist.run("status", data.toString(), "--env", "sd");
    assertThat(text.out())
        .contains("data on " + sd1.name() + ":")
        .containsPattern("PostgreSQL 15\\.[0-9]+ +running")
        .contains("last backup " + APP + "-");
  }

  private static int minuteOfDay(String hhmm) {
    return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3));
  }
}
