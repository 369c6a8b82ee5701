package dev.hoist.project;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads {@code services:}: a list ({@code [postgres, redis, files]}) or a mapping of each service
 * to its settings ({@code {postgres: {extensions: [pg_trgm]}, files: {max_size: 20m}}}).
 */
final class ServicesReader {
  static final List<String> SERVICES = List.of("postgres", "redis", "files");
  private static final List<String> POSTGRES_KEYS = List.of("version", "extensions");
  private static final List<String> REDIS_KEYS = List.of("port");
  private static final List<String> FILES_KEYS = List.of("url", "max_size");

  /**
   * The extensions in Debian's postgresql-15 package (contrib) that an app's database may use
   * without a server-wide setting (shared_preload_libraries) or another package.
   */
  static final List<String> EXTENSIONS =
      List.of(
          "pg_trgm",
          "hstore",
          "citext",
          "uuid-ossp",
          "unaccent",
          "pgcrypto",
          "btree_gin",
          "btree_gist",
          "fuzzystrmatch",
          "intarray",
          "ltree",
          "tablefunc",
          "cube",
          "earthdistance",
          "isn",
          "seg",
          "tsm_system_rows",
          "tsm_system_time",
          "dict_int",
          "pg_prewarm",
          "pgrowlocks",
          "pgstattuple",
          "pg_buffercache",
          "bloom",
          "lo");

  private static final Pattern SIZE = Pattern.compile("([0-9]{1,6})([kKmMgG]?)");
  private static final long MAX_SIZE_BYTES = 16L << 30;

  private final YamlNodes nodes;

  ServicesReader(YamlNodes nodes) {
    this.nodes = nodes;
  }

  ServicesSpec read(Node node) {
    if (node instanceof MappingNode) {
      return fromMapping(node);
    }
    Optional<List<Node>> items = nodes.list(node, "services", "a list like [postgres, redis]");
    Optional<ServicesSpec.Postgres> postgres = Optional.empty();
    Optional<ServicesSpec.Redis> redis = Optional.empty();
    Optional<ServicesSpec.Files> files = Optional.empty();
    List<String> seen = new ArrayList<>();
    for (Node item : items.orElse(List.of())) {
      Optional<String> name = nodes.parse(item, "services", "a service name", ServicesReader::name);
      if (name.isEmpty()) {
        continue;
      }
      if (seen.contains(name.get())) {
        nodes.problem(item, "services", "'" + name.get() + "' is listed twice", "remove one");
        continue;
      }
      seen.add(name.get());
      switch (name.get()) {
        case "postgres" -> postgres = Optional.of(defaultPostgres());
        case "redis" -> redis = Optional.of(new ServicesSpec.Redis(OptionalInt.empty()));
        default -> files = Optional.of(defaultFiles());
      }
    }
    return new ServicesSpec(postgres, redis, files);
  }

  private ServicesSpec fromMapping(Node node) {
    Optional<ServicesSpec.Postgres> postgres = Optional.empty();
    Optional<ServicesSpec.Redis> redis = Optional.empty();
    Optional<ServicesSpec.Files> files = Optional.empty();
    for (NodeTuple entry :
        nodes.entries(node, "services", "a mapping of services").orElse(List.of())) {
      Node keyNode = entry.getKeyNode();
      String raw = ((ScalarNode) keyNode).getValue();
      Optional<String> name =
          nodes.parse(keyNode, "services", "a service name", ServicesReader::name);
      if (name.isEmpty()) {
        continue;
      }
      Node value = entry.getValueNode();
      String key = "services." + raw;
      switch (name.get()) {
        case "postgres" -> postgres = Optional.of(postgres(value, key));
        case "redis" -> redis = Optional.of(redis(value, key));
        default -> files = Optional.of(files(value, key));
      }
    }
    return new ServicesSpec(postgres, redis, files);
  }

  private Optional<Fields> settings(Node value, String key, List<String> allowed) {
    // "postgres:" or "postgres: {}" both mean the defaults.
    if (YamlNodes.isNull(value)) {
      return Optional.empty();
    }
    return nodes.fields(value, key, allowed, Set.of());
  }

  private ServicesSpec.Postgres postgres(Node value, String key) {
    Optional<Fields> found = settings(value, key, POSTGRES_KEYS);
    if (found.isEmpty()) {
      return defaultPostgres();
    }
    Fields f = found.get();
    f.get("version")
        .ifPresent(n -> nodes.parse(n, f.key("version"), "15", ServicesReader::version));
    List<String> extensions = new ArrayList<>();
    f.get("extensions")
        .flatMap(n -> nodes.list(n, f.key("extensions"), "a list of extension names"))
        .orElse(List.of())
        .forEach(
            item ->
                nodes
                    .parse(item, f.key("extensions"), "an extension", ServicesReader::extension)
                    .ifPresent(
                        e -> {
                          if (extensions.contains(e)) {
                            nodes.problem(
                                item,
                                f.key("extensions"),
                                "'" + e + "' is listed twice",
                                "remove one");
                          } else {
                            extensions.add(e);
                          }
                        }));
    return new ServicesSpec.Postgres(ServicesSpec.POSTGRES_VERSION, extensions);
  }

  private ServicesSpec.Redis redis(Node value, String key) {
    Optional<Fields> found = settings(value, key, REDIS_KEYS);
    if (found.isEmpty()) {
      return new ServicesSpec.Redis(OptionalInt.empty());
    }
    Fields f = found.get();
    // Below 1024 is root's; 5432 and 6379 are PostgreSQL's and Debian's own Redis.
    Optional<Integer> port =
        f.get("port").flatMap(n -> nodes.integer(n, f.key("port"), 1024, 65535));
    if (port.isPresent() && (port.get() == 5432 || port.get() == 6379)) {
      nodes.problem(
          f.get("port").get(),
          f.key("port"),
          "port "
              + port.get()
              + " is taken by "
              + (port.get() == 5432 ? "PostgreSQL" : "Debian's own Redis"),
          "leave port out: hoist picks one from 6380 to 7379 from the app's name");
    }
    return new ServicesSpec.Redis(port.map(OptionalInt::of).orElse(OptionalInt.empty()));
  }

  private ServicesSpec.Files files(Node value, String key) {
    Optional<Fields> found = settings(value, key, FILES_KEYS);
    if (found.isEmpty()) {
      return defaultFiles();
    }
    Fields f = found.get();
    String url =
        f.get("url")
            .flatMap(
                n -> nodes.parse(n, f.key("url"), "a URL prefix like /uploads", Values::urlPrefix))
            .orElse(ServicesSpec.Files.DEFAULT_URL);
    String maxSize =
        f.get("max_size")
            .flatMap(
                n -> nodes.parse(n, f.key("max_size"), "a size like 50m", ServicesReader::size))
            .orElse(ServicesSpec.Files.DEFAULT_MAX_SIZE);
    return new ServicesSpec.Files(url, maxSize);
  }

  private static ServicesSpec.Postgres defaultPostgres() {
    return new ServicesSpec.Postgres(ServicesSpec.POSTGRES_VERSION, List.of());
  }

  private static ServicesSpec.Files defaultFiles() {
    return new ServicesSpec.Files(
        ServicesSpec.Files.DEFAULT_URL, ServicesSpec.Files.DEFAULT_MAX_SIZE);
  }

  static String name(String text) {
    if (SERVICES.contains(text)) {
      return text;
    }
    String alias = text.toLowerCase(Locale.ROOT);
    if (alias.equals("postgresql") || alias.equals("pg")) {
      throw new InvalidValue("unknown service '" + text + "'", "did you mean 'postgres'?");
    }
    throw new InvalidValue(
        "unknown service '" + text + "'",
        Suggestions.closest(text, SERVICES)
            .map(s -> "did you mean '" + s + "'?")
            .orElse("the services are: " + String.join(", ", SERVICES)));
  }

  private static int version(String text) {
    if (text.strip().equals("15")) {
      return ServicesSpec.POSTGRES_VERSION;
    }
    throw new InvalidValue(
        "PostgreSQL " + text + " is not available: Debian 12 ships PostgreSQL 15 only",
        "write 'version: 15' or leave version out");
  }

  static String extension(String text) {
    if (EXTENSIONS.contains(text)) {
      return text;
    }
    if (text.equals("postgis") || text.equals("vector") || text.equals("pg_stat_statements")) {
      throw new InvalidValue(
          "extension '" + text + "' is not supported by hoist's PostgreSQL",
          text.equals("pg_stat_statements")
              ? "it needs a server-wide preload setting; hoist provides only per-database extensions"
              : "it needs another Debian package; the supported extensions are those of postgresql-15's contrib");
    }
    throw new InvalidValue(
        "unknown extension '" + text + "'",
        Suggestions.closest(text, EXTENSIONS)
            .map(s -> "did you mean '" + s + "'?")
            .orElse("the extensions hoist can create are: " + String.join(", ", EXTENSIONS)));
  }

  /** A size for nginx's client_max_body_size: digits with an optional k, m or g. */
  static String size(String text) {
    var m = SIZE.matcher(text.strip());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      long bytes =
          n
              * switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 1L << 10;
                case "m" -> 1L << 20;
                case "g" -> 1L << 30;
                default -> 1L;
              };
      if (bytes >= 1 && bytes <= MAX_SIZE_BYTES) {
        return n + m.group(2).toLowerCase(Locale.ROOT);
      }
    }
    throw new InvalidValue(
        "expected a size from 1 byte to 16g, found '" + text + "'",
        "write a number with k, m or g, e.g. 50m");
  }
}
