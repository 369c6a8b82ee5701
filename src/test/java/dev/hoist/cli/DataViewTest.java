package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code hoist status}'s data part: each service, the newest backup, the last drill. */
class DataViewTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final Console console =
      new Console(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false);

  static JsonNode status() throws Exception {
    return JSON.readTree(
        """
        {"app": "shop", "backups": [
          {"name": "shop-20261203T120000Z.hoistbak", "size": 2500000,
           "created": "2026-12-03T12:00:00Z", "verified": true},
          {"name": "shop-20261203T110000Z.hoistbak", "size": 2400000,
           "created": "2026-12-03T11:00:00Z", "verified": true}],
         "last_scheduled": {"started": "2026-12-03T12:00:00Z", "ok": true},
         "last_drill": {"at": "2026-12-03T12:00:05Z", "ok": true, "check": "sql"},
         "services": {
           "postgres": {"running": true, "version": "15.9", "size": 7654321, "database": "shop"},
           "redis": {"running": false, "error": "Redis is not answering on 127.0.0.1:6391"},
           "files": {"running": true, "size": 1200000, "dir": "/srv/shop/shared/uploads"}}}
        """);
  }

  @Test
  void eachServiceThenTheNewestBackupAndTheLastDrill() throws Exception {
    DataView.show(
        console, DataView.DataJson.of("db1", status()), Instant.parse("2026-12-03T14:00:00Z"));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
            data on db1:
              PostgreSQL 15.9              running   database shop, 7.7 MB
              Redis                        down      Redis is not answering on 127.0.0.1:6391
              uploads                      running   1.2 MB in /srv/shop/shared/uploads
              last backup shop-20261203T120000Z.hoistbak, 2h old, 2.5 MB, verified
              last drill 2026-12-03T12:00:05Z: ok
            """);
  }

  @Test
  void jsonKeepsTheRunnersWordsAndOnlyTheNewestBackup() throws Exception {
    console.json(DataView.DataJson.of("db1", status()));
    JsonNode j = JSON.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(j.path("node").asText()).isEqualTo("db1");
    assertThat(j.path("services").path("postgres").path("size").asLong()).isEqualTo(7654321);
    assertThat(j.path("lastBackup").path("name").asText())
        .isEqualTo("shop-20261203T120000Z.hoistbak");
    assertThat(j.path("lastDrill").path("ok").asBoolean()).isTrue();
    assertThat(j.has("error")).isFalse();
  }

  @Test
  void aDataNodeThatCannotBeReadIsSaidNotFatal() throws Exception {
    DataView.show(
        console, DataView.DataJson.failed("db1", "db1: connection refused"), Instant.now());
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("data on db1:\n  cannot read: db1: connection refused\n");
  }
}
