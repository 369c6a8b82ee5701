package dev.hoist.server;

import dev.hoist.server.hooks.HookRules;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One project of server.yml: the repository and branch it deploys from, the environment it deploys
 * to (empty: the server's own machine), the rules its webhooks must pass (with the file their
 * secret was read from; none for a project fed only by git push) and whom to tell after a deploy.
 */
public record ProjectConfig(
    String name,
    String repo,
    String branch,
    Optional<String> env,
    HookRules hook,
    List<Notify> notifications,
    Optional<Path> secretFile) {

  /** A URL told about each finished deploy, in the payload shape its receiver reads. */
  public record Notify(URI url, Format format) {
    /**
     * {@code json}: Hoist's own object; {@code slack} and {@code discord}: their webhook shapes.
     */
    public enum Format {
      JSON,
      SLACK,
      DISCORD
    }
  }
}
