package dev.hoist.project;

import java.util.List;
import java.util.Optional;

/**
 * Where an app's data lives: its PostgreSQL database, Redis instance and uploads are on the
 * environment's data node — its {@code db} node, else its single web node (with no environment:
 * this machine). Names on the node derive from {@link #appId}.
 */
public final class DataPlacement {
  private DataPlacement() {}

  /** The PostgreSQL role and database name and Redis ACL user: the app name with '-' → '_'. */
  public static String appId(String app) {
    return app.replace('-', '_');
  }

  /**
   * The port of the app's own Redis instance: {@code services.redis.port}, else 6380 + CRC32(app) %
   * 1000, so apps on one node rarely collide and each keeps its port across deploys.
   */
  public static int redisPort(Spec spec) {
    return spec.services()
        .redis()
        .flatMap(r -> r.port().isPresent() ? Optional.of(r.port().getAsInt()) : Optional.empty())
        .orElseGet(
            () -> {
              java.util.zip.CRC32 crc = new java.util.zip.CRC32();
              crc.update(spec.app().getBytes(java.nio.charset.StandardCharsets.UTF_8));
              return 6380 + (int) (crc.getValue() % 1000);
            });
  }

  /**
   * The name of {@code env}'s data node.
   *
   * @throws SpecException (at the environment) when it has several db nodes, or several web nodes
   *     and no db node, or no node at all that could hold the data
   */
  public static String dataNode(EnvironmentSpec env) throws SpecException {
    List<EnvironmentSpec.NodeRef> db = env.roles().getOrDefault("db", List.of());
    List<EnvironmentSpec.NodeRef> web = env.roles().getOrDefault("web", List.of());
    if (db.size() > 1) {
      throw refused(
          env,
          "has " + db.size() + " db nodes; the app's data lives on one node",
          "name one node under 'db:'");
    }
    if (db.size() == 1) {
      return db.getFirst().name();
    }
    if (web.size() == 1) {
      return web.getFirst().name();
    }
    if (web.isEmpty()) {
      throw refused(env, "has no web node and no db node to hold the app's data", "add 'db: NODE'");
    }
    throw refused(
        env,
        "has "
            + web.size()
            + " web nodes and no db node: hoist would not know which one holds the database",
        "add 'db: NODE' to the environment (a node of its own, or one of "
            + String.join(", ", web.stream().map(EnvironmentSpec.NodeRef::name).toList())
            + ")");
  }

  /**
   * Checks that {@code services} can be placed in {@code env}: a data node exists, and uploads
   * ({@code files}) live beside the app, so the data node must be the environment's only web node.
   *
   * @return the data node's name, or empty when no service is asked for
   */
  public static Optional<String> check(ServicesSpec services, EnvironmentSpec env)
      throws SpecException {
    if (!services.any()) {
      return Optional.empty();
    }
    String node = dataNode(env);
    List<EnvironmentSpec.NodeRef> web = env.roles().getOrDefault("web", List.of());
    if (services.files().isPresent() && !(web.size() == 1 && web.getFirst().name().equals(node))) {
      throw refused(
          env,
          "keeps the app's data on '"
              + node
              + "', but 'files' (uploads) must live on the app's only web node",
          "remove 'files' from services, or use one web node and no separate db node");
    }
    return Optional.of(node);
  }

  private static SpecException refused(EnvironmentSpec env, String message, String hint) {
    return new SpecException(
        List.of(
            new SpecProblem(
                env.origin(),
                0,
                0,
                "environments." + env.name(),
                "services: the environment " + message,
                Optional.of(hint))));
  }
}
