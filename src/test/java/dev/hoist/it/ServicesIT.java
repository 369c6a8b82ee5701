package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code services: postgres, redis, files} for real on this machine: examples/django-postgres
 * deployed (PostgreSQL 15 and Redis 7 from Debian under runit), data written through the app over
 * HTTP, the passwords never printed, each service closed to anyone without them, uploads served but
 * never run, a no-op redeploy, the maintenance flag.
 */
@TestMethodOrder(OrderAnnotation.class)
class ServicesIT {
  static final String APP = "it-svc";
  static final String APP_ID = "it_svc";
  static final String HOST = APP + ".test";
  static final String CREDENTIALS = "/etc/hoist/services/" + APP + "/credentials.json";
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static Path project;

  /** Everything hoist printed in this class, searched for the passwords at the end. */
  static final List<String> printed = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    purge();
    project = Hoist.copyExample("django-postgres", "django-pg", APP, tmp);
  }

  @AfterAll
  static void tearDown() throws Exception {
    purge();
  }

  /** The app, and its data: its Redis instance, role and database (PostgreSQL itself stays). */
  static void purge() throws Exception {
    Hoist.purgeWithData(APP);
  }

  static Hoist.Result hoist(String... args) throws Exception {
    Hoist.Result r = Hoist.run(args);
    printed.add(r.all());
    return r;
  }

  static String curl(String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-H", "Host: " + HOST));
    argv.addAll(List.of(args));
    Hoist.Result r = Hoist.capture(new ProcessBuilder(argv), "curl");
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  static JsonNode state() throws Exception {
    return JSON.readTree(curl("http://127.0.0.1/api/state"));
  }

  static JsonNode credentials() throws Exception {
    return JSON.readTree(Files.readString(Path.of(CREDENTIALS)));
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  static Hoist.Result sh(String... argv) throws Exception {
    return Hoist.capture(new ProcessBuilder(argv), String.join(" ", argv));
  }

  @Test
  @Order(1)
  void firstDeployProvisionsEveryServiceAndMigrates() throws Exception {
    Hoist.Result r = hoist("deploy", project.toString());

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).contains("exec:services-provision-" + APP);
    assertThat(Http.get(HOST, "/healthz/").body()).isEqualTo("ok\n");
    JsonNode s = state();
    assertThat(s.at("/tables/notes_note/count").asInt()).isZero();
    assertThat(s.at("/files").size()).isZero();
    // Files the passwords live in: root only, or root and the app's group.
    assertThat(Hoist.sh("stat -c '%U:%G %a' " + CREDENTIALS).strip()).isEqualTo("root:root 600");
    assertThat(Hoist.sh("stat -c '%U:%G %a' /srv/" + APP + "/etc/services").strip())
        .isEqualTo("root:" + APP + " 640");
    assertThat(Hoist.sh("stat -c '%U:%G %a' /srv/" + APP + "/shared/uploads").strip())
        .isEqualTo(APP + ":www-data 2750");
  }

  @Test
  @Order(2)
  void rowsKeysAndFilesWrittenThroughTheAppAreThere() throws Exception {
    assertThat(
            curl(
                "-d",
                "text=first note",
                "-d",
                "tag=a",
                "-d",
                "tag=b",
                "http://127.0.0.1/api/notes"))
        .contains("\"id\"");
    curl("-d", "text=second", "http://127.0.0.1/api/notes");
    curl("--data-binary", "value one", "http://127.0.0.1/api/keys/one");
    Path photo = tmp.resolve("photo.bin");
    byte[] bytes = new byte[300_000];
    new java.util.Random(7).nextBytes(bytes);
    Files.write(photo, bytes);
    assertThat(curl("-F", "file=@" + photo, "http://127.0.0.1/upload")).contains(sha256(bytes));
    // Sessions live in the Redis-backed cache: the count goes on with the cookie.
    Path jar = tmp.resolve("cookies");
    curl("-c", jar.toString(), "-b", jar.toString(), "http://127.0.0.1/api/session");
    assertThat(curl("-c", jar.toString(), "-b", jar.toString(), "http://127.0.0.1/api/session"))
        .contains("\"count\": 2");

    JsonNode s = state();
    assertThat(s.at("/tables/notes_note/count").asInt()).isEqualTo(2);
    assertThat(s.at("/tables/notes_tag/count").asInt()).isEqualTo(2);
    assertThat(s.at("/tables/notes_note/sha256").asText()).hasSize(64);
    assertThat(s.at("/keys/app:one").asText())
        .isEqualTo(HexFormat.of().formatHex("value one".getBytes()));
    assertThat(s.at("/files/photo.bin").asText()).isEqualTo(sha256(bytes));
    // nginx serves the upload itself, byte for byte.
    Path back = tmp.resolve("back.bin");
    curl("-o", back.toString(), "http://127.0.0.1/uploads/photo.bin");
    assertThat(Files.readAllBytes(back)).isEqualTo(bytes);
  }

  @Test
  @Order(3)
  void postgresAnswersOnlyWithThePassword() throws Exception {
    String password = credentials().at("/postgres/password").asText();
    String query = "SELECT count(*) FROM notes_note";
    Hoist.Result none =
        sh("psql", "-X", "-w", "-h", "127.0.0.1", "-U", APP_ID, "-d", APP_ID, "-Atc", query);
    assertThat(none.exit()).isNotZero();
    assertThat(none.err()).contains("no password supplied");
    ProcessBuilder wrong =
        new ProcessBuilder(
            "psql", "-X", "-w", "-h", "127.0.0.1", "-U", APP_ID, "-d", APP_ID, "-Atc", query);
    wrong.environment().put("PGPASSWORD", password + "x");
    Hoist.Result bad = Hoist.capture(wrong, "psql");
    assertThat(bad.err()).contains("password authentication failed");
    // The app's OS user over the socket, and the superuser over TCP: no password, no entry.
    Hoist.Result peer =
        sh("runuser", "-u", APP, "--", "psql", "-X", "-w", "-d", APP_ID, "-Atc", query);
    assertThat(peer.exit()).isNotZero();
    Hoist.Result superuser =
        sh(
            "psql",
            "-X",
            "-w",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-Atc",
            "SELECT 1");
    assertThat(superuser.exit()).isNotZero();
    assertThat(Files.readString(Path.of("/etc/postgresql/15/main/pg_hba.conf")))
        .doesNotContainPattern("(?m)^[^#].*\\btrust\\b");
    ProcessBuilder right =
        new ProcessBuilder(
            "psql", "-X", "-w", "-h", "127.0.0.1", "-U", APP_ID, "-d", APP_ID, "-Atc", query);
    right.environment().put("PGPASSWORD", password);
    Hoist.Result ok = Hoist.capture(right, "psql");
    assertThat(ok.out().strip()).as(ok.err()).isEqualTo("2");
    // Other roles cannot even connect to the app's database.
    assertThat(
            Hoist.sh(
                "runuser -u postgres -- psql -X -Atc \"SELECT has_database_privilege('public', '"
                    + APP_ID
                    + "', 'CONNECT')\""))
        .isEqualTo("f\n");
  }

  @Test
  @Order(4)
  void redisAppUserCannotFlushOrConfigureAndDefaultIsOff() throws Exception {
    JsonNode creds = credentials();
    String port =
        Hoist.sh("sed -n 's/^port //p' /etc/hoist/services/" + APP + "/redis.conf").strip();
    assertThat(redisCli(port, null, null, "PING")).contains("NOAUTH");
    String user = creds.at("/redis/password").asText();
    assertThat(redisCli(port, APP_ID, user, "FLUSHALL")).contains("NOPERM");
    assertThat(redisCli(port, APP_ID, user, "CONFIG", "GET", "dir")).contains("NOPERM");
    assertThat(redisCli(port, APP_ID, user, "GET", "app:one")).contains("value one");
    assertThat(redisCli(port, APP_ID, user + "x", "PING")).contains("WRONGPASS");
    assertThat(redisCli(port, "hoist", creds.at("/redis/admin_password").asText(), "DBSIZE"))
        .doesNotContain("NOPERM");
    assertThat(Files.readString(Path.of("/etc/hoist/services/" + APP + "/redis.acl")))
        .doesNotContain(user);
  }

  private static String redisCli(String port, String user, String password, String... command)
      throws Exception {
    List<String> argv = new ArrayList<>(List.of("redis-cli", "-p", port));
    if (user != null) {
      argv.addAll(List.of("--user", user));
    }
    argv.addAll(List.of(command));
    ProcessBuilder pb = new ProcessBuilder(argv);
    if (password != null) {
      pb.environment().put("REDISCLI_AUTH", password);
    }
    return Hoist.capture(pb, "redis-cli").all();
  }

  @Test
  @Order(5)
  void uploadedScriptsAreServedAsBytesNeverRun() throws Exception {
    for (String name : List.of("shell.php", "evil.py")) {
      String source =
          name.endsWith(".php") ? "<?php echo 'RAN' . 6*7; ?>\n" : "print('RAN', 6*7)\n";
      Path file = tmp.resolve(name);
      Files.writeString(file, source);
      curl("-F", "file=@" + file, "http://127.0.0.1/upload");

      String headers =
          curl("-D", "-", "-o", tmp.resolve("got").toString(), "http://127.0.0.1/uploads/" + name);
      assertThat(headers)
          .startsWith("HTTP/1.1 200")
          .contains("Content-Security-Policy: default-src 'none'; sandbox");
      assertThat(headers).doesNotContain("text/html");
      assertThat(Files.readString(tmp.resolve("got"))).isEqualTo(source).doesNotContain("RAN 42");
    }
    // Nothing beside the uploads is reachable through their URL.
    assertThat(
            curl(
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--path-as-is",
                "http://127.0.0.1/uploads/../etc/services"))
        .isIn("400", "403", "404");
  }

  @Test
  @Order(6)
  void noOpRedeployChangesNothing() throws Exception {
    Hoist.Result r = hoist("deploy", project.toString());

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).contains("0 changed");
  }

  @Test
  @Order(7)
  void hoistRunSeesTheServices() throws Exception {
    Hoist.Result r = hoist("run", project.toString(), "--", "python", "manage.py", "migrate");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).contains("No migrations to apply");
  }

  @Test
  @Order(8)
  void maintenanceFlagAnswers503WithRetryAfter() throws Exception {
    Path flag = Path.of("/etc/hoist/maintenance/" + APP);
    Files.writeString(flag, "");
    try {
      String headers = curl("-D", "-", "-o", "/dev/null", "http://127.0.0.1/api/state");
      assertThat(headers).startsWith("HTTP/1.1 503").contains("Retry-After: 5");
    } finally {
      Files.delete(flag);
    }
    assertThat(state().at("/tables/notes_note/count").asInt()).isEqualTo(2);
  }

  @Test
  @Order(9)
  void thePasswordsAppearInNoOutputOrLog() throws Exception {
    JsonNode creds = credentials();
    List<String> secrets =
        List.of(
            creds.at("/postgres/password").asText(),
            creds.at("/redis/password").asText(),
            creds.at("/redis/admin_password").asText());
    printed.add(hoist("deploy", "--dry-run", project.toString()).all());
    printed.add(hoist("status", project.toString()).all());
    printed.add(
        Hoist.sh(
            "cat /var/log/hoist/"
                + APP
                + "/current /var/log/hoist/hoist-redis-"
                + APP
                + "/current /var/log/hoist/hoist-postgresql/current 2>/dev/null"));
    printed.add(Files.readString(Path.of("/etc/hoist/services/" + APP + "/services.json")));
    for (String secret : secrets) {
      assertThat(secret).hasSizeGreaterThan(30);
      for (String text : printed) {
        assertThat(text).doesNotContain(secret);
      }
    }
  }
}
