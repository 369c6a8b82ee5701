package dev.hoist.stack;

import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.FileResource;
import java.util.List;

/**
 * An app node whose data lives on a separate db node: the app's services env file, as the db node
 * made it ({@link ServicesEnv}), written as a secret file (compared by digest, never shown in a
 * diff), and the maintenance flag's directory nginx checks during a restore.
 */
final class RemoteServicesResources {
  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");

  private RemoteServicesResources() {}

  /** Adds them; returns the ids the app starts after, the env file's first (a change reloads). */
  static List<String> add(Catalog.Builder c, AppLayout layout, ServicesEnv env) {
    RunnerConfig.dir(c, "/etc/hoist", ROOT_DIR);
    RunnerConfig.dir(c, "/etc/hoist/maintenance", ROOT_DIR, "dir:/etc/hoist");
    String file = layout.servicesEnvFile();
    c.add(
            new FileResource(
                    file,
                    env.bytes(),
                    Attributes.of("root", layout.app(), "0640"),
                    List.of(),
                    false)
                .asSecret())
        .requires("dir:" + layout.etc(), "user:" + layout.app());
    return List.of("file:" + file, "dir:/etc/hoist/maintenance");
  }
}
