package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code hoist services purge}'s report: what would go, that nothing is left, what went. */
class PurgeViewTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final PurgeView view =
      new PurgeView(
          new Console(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false));

  static JsonNode found() throws Exception {
    return JSON.readTree(
        """
        {"deleted": false, "services": {
          "postgres": {"databases": [{"name": "shop", "size": 7700000},
                                     {"name": "shop_old_20261203120000", "size": 4096}],
                       "role": "shop"},
          "redis": {"instance": "hoist-redis-shop", "keys": 42,
                    "dirs": [{"dir": "/var/lib/hoist/redis/shop", "size": 1100000}],
                    "files": ["/etc/hoist/services/shop/redis.acl"]},
          "files": {"dirs": [{"dir": "/srv/shop/shared/uploads", "size": null}]}}}
        """);
  }

  @Test
  void thePreviewNamesEachThingWithItsSizeThenTheCommandThatDeletes() throws Exception {
    assertThat(PurgeView.anything(found())).isTrue();

    view.preview("shop", "db1", found(), "hoist services purge postgres --env live --yes");

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
            hoist services purge would delete, of shop on db1:
              postgres  database shop (7.7 MB), database shop_old_20261203120000 (4.1 kB), role shop
              redis     instance hoist-redis-shop: 42 keys in /var/lib/hoist/redis/shop (1.1 MB), \
            /etc/hoist/services/shop/redis.acl
              files     /srv/shop/shared/uploads (size unknown)
            Nothing was deleted. Backups (.hoistbak bundles) are not touched, and hold none of this \
            if they were taken after the service left services:. To delete it, rerun with --yes:
              hoist services purge postgres --env live --yes
            """);
  }

  @Test
  void nothingLeftIsSaidAndCountsAsNothing() throws Exception {
    JsonNode none = JSON.readTree("{\"services\": {\"postgres\": {}, \"redis\": {}}}");
    assertThat(PurgeView.anything(none)).isFalse();

    view.nothing("shop", "db1", List.of("postgres", "redis"));

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("nothing to purge: postgres, redis left no data of shop on db1\n");
  }

  @Test
  void whatWentAndAServiceThatLeftNothing() throws Exception {
    JsonNode r =
        JSON.readTree(
            """
            {"deleted": true, "services": {"redis": {},
              "files": {"dirs": [{"dir": "/srv/shop/shared/uploads", "size": 1200000}]}}}
            """);

    view.deleted("shop", "web1", r);

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
            purged from web1, of shop:
              redis     nothing left
              files     /srv/shop/shared/uploads (1.2 MB)
            """);
  }
}
