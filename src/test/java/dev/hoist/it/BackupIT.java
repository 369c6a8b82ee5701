package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist backup} and {@code hoist restore} for real on this machine, with
 * examples/django-postgres: data written over HTTP, backed up, changed, restored and compared (row
 * counts and a checksum of every table, every Redis key and value, every file's sha256); bundles
 * that are altered, truncated or another app's refused with nothing changed; the 503 window.
 */
@TestMethodOrder(OrderAnnotation.class)
class BackupIT {
  static final String APP = "it-bak";
  static final String HOST = APP + ".test";
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path tmp;
  static Path project;
  static Path bundle;
  static JsonNode backedUp;

  @BeforeAll
  static void setUp() throws Exception {
    purge();
    project = Hoist.copyExample("django-postgres", "django-pg", APP, tmp);
    bundle = tmp.resolve("it-bak.hoistbak");
  }

  @AfterAll
  static void tearDown() throws Exception {
    purge();
  }

  /** The app and all its data: Redis instance, role, databases (kept old ones too), state. */
  static void purge() throws Exception {
    Hoist.purgeWithData(APP);
  }

  static String curl(String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-H", "Host: " + HOST));
    argv.addAll(List.of(args));
    Hoist.Result r = Hoist.capture(new ProcessBuilder(argv), "curl");
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out();
  }

  /** Every table's count and checksum, every key, every file's sha256, as the app reports them. */
  static JsonNode state() throws Exception {
    // Right after a restore the app's workers are being replaced (the runner reloads it): a few
    // seconds at most, then the answer must be the JSON state.
    String body = "";
    for (int i = 0; i < 30; i++) {
      body = curl("http://127.0.0.1/api/state");
      if (body.startsWith("{")) {
        return JSON.readTree(body);
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the app's /api/state did not answer JSON: " + body);
  }

  @Test
  @Order(1)
  void dataWrittenThroughTheAppIsBackedUpVerified() throws Exception {
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    for (int i = 0; i < 30; i++) {
      curl("-d", "text=note " + i, "-d", "tag=t" + (i % 4), "http://127.0.0.1/api/notes");
    }
    curl("--data-binary", "value one", "http://127.0.0.1/api/keys/one");
    curl("--data-binary", "value two", "http://127.0.0.1/api/keys/two");
    byte[] photo = new byte[400_000];
    new Random(11).nextBytes(photo);
    Files.write(tmp.resolve("photo.bin"), photo);
    curl("-F", "file=@" + tmp.resolve("photo.bin"), "http://127.0.0.1/upload");
    backedUp = state();
    assertThat(backedUp.at("/tables/notes_note/count").asInt()).isEqualTo(30);

    Hoist.Result r = Hoist.run("backup", project.toString(), "-o", bundle.toString(), "--json");
    assertThat(r.exit()).as(r.all()).isZero();
    JsonNode result = JSON.readTree(r.out());
    assertThat(result.get("ok").asBoolean()).isTrue();
    assertThat(result.get("app").asText()).isEqualTo(APP);
    assertThat(result.get("dump").asText()).startsWith("pg_restore --list read");
    assertThat(result.get("parts").findValuesAsText("name"))
        .containsExactly(
            "postgres/roles.sql", "postgres/dump", "redis/dump.rdb", "files/uploads.tar");
    assertThat(Files.size(bundle)).isEqualTo(result.get("bytes").asLong());
    assertThat(Hoist.sh("stat -c %a " + bundle).strip()).isEqualTo("600");
    assertThat(Files.exists(tmp.resolve("it-bak.hoistbak.partial"))).isFalse();
    // Nothing was kept on the node's disk for it.
    assertThat(Hoist.sh("ls /var/backups/hoist/" + APP + " 2>/dev/null | wc -l").strip())
        .isEqualTo("0");

    Hoist.Result verify = Hoist.run("backup", "verify", bundle.toString());
    assertThat(verify.exit()).as(verify.all()).isZero();
    assertThat(verify.out()).contains("postgres/dump", "verified");
  }

  @Test
  @Order(2)
  void changedDataIsNotReplacedWithoutYes() throws Exception {
    curl("-d", "text=after the backup", "http://127.0.0.1/api/notes");
    curl("--data-binary", "changed", "http://127.0.0.1/api/keys/one");
    JsonNode changed = state();
    assertThat(changed).isNotEqualTo(backedUp);

    Hoist.Result r = Hoist.run("restore", bundle.toString(), project.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains("--yes");
    assertThat(state()).isEqualTo(changed);
  }

  @Test
  @Order(3)
  void anAlteredTruncatedOrForeignBundleIsRefusedBeforeAnythingChanges() throws Exception {
    JsonNode before = state();
    byte[] whole = Files.readAllBytes(bundle);
    int dump = indexOf(whole, "postgres/dump.000000");
    byte[] altered = whole.clone();
    altered[dump + 512 + 200] ^= 1; // a byte of the dump's first chunk
    Path alteredFile = tmp.resolve("altered.hoistbak");
    Files.write(alteredFile, altered);
    Hoist.Result a = Hoist.run("restore", alteredFile.toString(), project.toString(), "--yes");
    assertThat(a.exit()).as(a.all()).isEqualTo(2);
    assertThat(a.err())
        .contains("part postgres/dump: sha256 does not match the manifest")
        .contains("nothing was changed");

    Path truncated = tmp.resolve("truncated.hoistbak");
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
    Hoist.Result t = Hoist.run("restore", truncated.toString(), project.toString(), "--yes");
    assertThat(t.exit()).as(t.all()).isEqualTo(2);
    assertThat(t.err()).contains("truncated");

    Path foreign = tmp.resolve("foreign.hoistbak");
    Files.write(foreign, ofAnotherApp(whole));
    Hoist.Result f = Hoist.run("restore", foreign.toString(), project.toString(), "--yes");
    assertThat(f.exit()).as(f.all()).isEqualTo(2);
    assertThat(f.err()).contains("is a bundle of app it-bax, not of it-bak", "--as it-bax");
    Hoist.Result verified = Hoist.run("backup", "verify", foreign.toString());
    assertThat(verified.exit())
        .as("the foreign bundle itself is whole: " + verified.all())
        .isZero();

    assertThat(state()).isEqualTo(before);
  }

  @Test
  @Order(4)
  void theRestoreBringsBackEveryRowKeyAndFileAndReportsThe503Window() throws Exception {
    Hoist.Result r = Hoist.run("restore", bundle.toString(), project.toString(), "--yes", "--json");
    assertThat(r.exit()).as(r.all()).isZero();
    JsonNode result = JSON.readTree(r.out());
    assertThat(result.get("windowSeconds").asDouble()).isPositive().isLessThan(30);
    assertThat(result.at("/runner/kept/database").asText()).startsWith("it_bak_old_");
    assertThat(state()).isEqualTo(backedUp);
    // nginx still serves every restored upload (the dir keeps the deploy's group and setgid mode).
    var names = backedUp.get("files").fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1/uploads/" + name))
          .as(name)
          .isEqualTo("200");
    }

    Hoist.Result text = Hoist.run("restore", bundle.toString(), project.toString(), "--yes");
    assertThat(text.exit()).as(text.all()).isZero();
    assertThat(text.out()).contains("the 503 window was", "old data kept:");
    assertThat(state()).isEqualTo(backedUp);
  }

  @Test
  @Order(5)
  void cleanupRemovesTheOldData() throws Exception {
    Hoist.Result r = Hoist.run("restore", "--cleanup", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("it_bak_old_");
    Hoist.Result again = Hoist.run("restore", "--cleanup", project.toString());
    assertThat(again.out()).contains("nothing to remove");
    assertThat(state()).isEqualTo(backedUp);
  }

  /** The same bundle relabelled as app it-bax's: header and manifest edited alike, sizes kept. */
  static byte[] ofAnotherApp(byte[] whole) {
    byte[] b = whole.clone();
    int manifest = lastIndexOf(b, "hoist-backup/manifest.json");
    relabel(b, 512, 1024);
    relabel(b, manifest + 512, b.length);
    return b;
  }

  private static void relabel(byte[] b, int from, int to) {
    String text = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    byte[] changed =
        text.replace("\"it-bak\"", "\"it-bax\"")
            .replace("\"it_bak\"", "\"it_bax\"")
            .getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(changed, 0, b, from, changed.length);
  }

  static int indexOf(byte[] b, String s) {
    return new String(b, StandardCharsets.ISO_8859_1).indexOf(s);
  }

  static int lastIndexOf(byte[] b, String s) {
    return new String(b, StandardCharsets.ISO_8859_1).lastIndexOf(s);
  }
}
