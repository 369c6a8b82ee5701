package dev.hoist.project;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the {@code rollout} section; each key falls back to {@link RolloutSpec#defaults()}. */
final class RolloutReader {
  private static final List<String> KEYS =
      List.of("batch", "max_unavailable", "drain", "on_failure");
  private static final Pattern SHARE = Pattern.compile("([0-9]{1,4})(%?)");
  private static final String SHARE_TEXT = "a number of nodes or a percentage, like 1 or 25%";

  private final YamlNodes nodes;

  RolloutReader(YamlNodes nodes) {
    this.nodes = nodes;
  }

  RolloutSpec read(Node node) {
    RolloutSpec d = RolloutSpec.defaults();
    Optional<Fields> found = nodes.fields(node, "rollout", KEYS, Set.of());
    if (found.isEmpty()) {
      return d;
    }
    Fields f = found.get();
    RolloutSpec.Share batch = share(f, "batch").orElse(d.batch());
    // Unset, max_unavailable follows the batch: the whole batch is out of the balancer at once.
    RolloutSpec.Share maxUnavailable = share(f, "max_unavailable").orElse(batch);
    Duration drain =
        f.get("drain").flatMap(n -> nodes.duration(n, f.key("drain"))).orElse(d.drain());
    RolloutSpec.OnFailure onFailure =
        f.get("on_failure")
            .flatMap(
                n ->
                    nodes.parse(
                        n, f.key("on_failure"), "stop or rollback_all", RolloutReader::onFailure))
            .orElse(d.onFailure());
    return new RolloutSpec(batch, maxUnavailable, drain, onFailure);
  }

  private Optional<RolloutSpec.Share> share(Fields f, String name) {
    return f.get(name).flatMap(n -> nodes.parse(n, f.key(name), SHARE_TEXT, RolloutReader::share));
  }

  static RolloutSpec.Share share(String text) {
    Matcher m = SHARE.matcher(text.strip());
    if (m.matches()) {
      int value = Integer.parseInt(m.group(1));
      boolean percent = !m.group(2).isEmpty();
      if (value >= 1 && (!percent || value <= 100)) {
        return new RolloutSpec.Share(value, percent);
      }
    }
    throw new InvalidValue(
        "expected " + SHARE_TEXT + ", found '" + text + "'",
        "e.g. 'batch: 1' for one node at a time, or 'batch: 50%'");
  }

  private static RolloutSpec.OnFailure onFailure(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "stop" -> RolloutSpec.OnFailure.STOP;
      case "rollback_all" -> RolloutSpec.OnFailure.ROLLBACK_ALL;
      default ->
          throw new InvalidValue(
              "expected stop or rollback_all, found '" + text + "'",
              "'stop' rolls back only the failed batch; 'rollback_all' every node that switched");
    };
  }
}
