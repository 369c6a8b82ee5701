package dev.hoist.scaffold;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Creates a new project from a skeleton ({@code hoist init}): a commented hoist.yml, an app that
 * answers / and /healthz, a README and a .gitignore.
 *
 * <p>A user skeleton at {@code <userTemplateDir>/skeletons/<name>/} replaces the built-in skeleton
 * of that name wholly, and may add names of its own.
 */
public final class Scaffold {
  private final SkeletonSource builtIn;
  private final Optional<SkeletonSource> user;
  private final SkeletonRenderer renderer = new SkeletonRenderer();
  private final ProjectWriter writer = new ProjectWriter();

  /**
   * @param userTemplateDir the user's override root (e.g. {@code ~/.config/hoist/templates}); it
   *     need not exist; empty means built-in skeletons only
   */
  public Scaffold(Optional<Path> userTemplateDir) {
    this.builtIn = new BuiltInSkeletons();
    this.user = userTemplateDir.map(UserSkeletons::new);
  }

  /**
   * The names of all skeletons, built-in and the user's, sorted and without duplicates.
   *
   * @throws UncheckedIOException if the user's skeleton directory exists but cannot be listed
   */
  public List<String> templates() {
    SortedSet<String> names = new TreeSet<>(builtIn.names());
    if (user.isPresent()) {
      names.addAll(user.get().names());
    }
    return List.copyOf(names);
  }

  /**
   * Writes skeleton {@code template} into {@code dir}, creating it if needed. Existing files are
   * never overwritten: on any clash nothing is written.
   *
   * @param dir the project directory, made absolute; may exist and hold other files, but not a
   *     hoist.yml
   * @param template a name from {@link #templates()}
   * @param appName the app's name, or null to derive it from the directory's name
   * @throws ScaffoldException if dir is already a Hoist project, the template or name is not
   *     usable, a file is in the way, or writing fails (what was written is then removed)
   */
  public ScaffoldResult create(Path dir, String template, String appName) throws ScaffoldException {
    Path project = dir.toAbsolutePath().normalize();
    Objects.requireNonNull(template, "template");
    List<String> known;
    try {
      known = templates();
    } catch (UncheckedIOException e) {
      throw new ScaffoldException(e.getMessage() + ": " + e.getCause(), e);
    }
    if (!known.contains(template)) {
      throw new ScaffoldException(
          "unknown template '%s'; known templates: %s"
              .formatted(template, String.join(", ", known)));
    }
    if (Files.exists(project.resolve("hoist.yml"))) {
      throw new ScaffoldException(
          ("%s already has a hoist.yml: it is a Hoist project already. Pick another directory:"
                  + " hoist init <new-dir> --template %s")
              .formatted(project, template));
    }
    if (Files.exists(project) && !Files.isDirectory(project)) {
      throw new ScaffoldException(project + " is not a directory; pick another directory");
    }
    String app = AppName.resolve(appName, project);
    Map<String, String> vars = Map.of("app", app, "module", AppName.module(app));
    SortedMap<String, byte[]> files = renderer.render(load(template), vars);
    return new ScaffoldResult(project, template, writer.write(project, files));
  }

  private Skeleton load(String template) throws ScaffoldException {
    // The user's skeleton wins wholly: mixing its files with built-in ones would surprise.
    if (user.isPresent()) {
      Optional<Skeleton> own = user.get().load(template);
      if (own.isPresent()) {
        return own.get();
      }
    }
    return builtIn
        .load(template)
        .orElseThrow(() -> new IllegalStateException("listed but not loadable: " + template));
  }
}
