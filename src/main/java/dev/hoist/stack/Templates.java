package dev.hoist.stack;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the node's config files from Jinja templates. A file of the same name in the project's
 * {@code .hoist/templates/} or the user's template directory wins over the built-in one, so a user
 * can go off the beaten path without forking.
 */
public final class Templates {
  private static final String BUILT_IN = "/dev/hoist/stack/templates/";

  private final List<Path> overrideDirs;
  private final Optional<Path> projectDir;
  private final Jinjava jinjava;

  public Templates(List<Path> overrideDirs) {
    this(overrideDirs, Optional.empty());
  }

  private Templates(List<Path> overrideDirs, Optional<Path> projectDir) {
    this.overrideDirs = List.copyOf(overrideDirs);
    this.projectDir = projectDir;
    this.jinjava = new Jinjava(JinjavaConfig.newBuilder().withFailOnUnknownTokens(true).build());
  }

  /** The override dirs for a project: its own {@code .hoist/templates}, then the user's. */
  public static Templates forProject(Path projectDir) {
    List<Path> dirs = new ArrayList<>();
    dirs.add(projectDir.resolve(".hoist/templates"));
    userTemplateDir().ifPresent(dirs::add);
    return new Templates(dirs, Optional.of(projectDir));
  }

  /**
   * {@code $HOIST_TEMPLATES}, else {@code $XDG_CONFIG_HOME/hoist/templates} or {@code
   * ~/.config/...}.
   */
  public static Optional<Path> userTemplateDir() {
    String explicit = System.getenv("HOIST_TEMPLATES");
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(Path.of(explicit));
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path config =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return Optional.of(config.resolve("hoist/templates"));
  }

  /** Renders template {@code name} with {@code context}; fails loudly on any template error. */
  public String render(String name, Map<String, ?> context) {
    Source source = source(name);
    return renderText(source.origin(), source.text(), context);
  }

  /** Renders a template given as text (e.g. a project's config template). */
  public String renderText(String origin, String text, Map<String, ?> context) {
    RenderResult result = jinjava.renderForResult(text, context);
    List<TemplateError> errors =
        result.getErrors().stream()
            .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
            .toList();
    if (!errors.isEmpty()) {
      TemplateError e = errors.get(0);
      throw new TemplateException(origin + ":" + e.getLineno() + ": " + e.getMessage());
    }
    return result.getOutput();
  }

  private record Source(String origin, String text) {}

  /** Where a file of the project's {@code .hoist/templates} really is, when not in the project. */
  private Optional<Path> outsideProject(Path file) throws IOException {
    if (projectDir.isEmpty() || !file.startsWith(projectDir.get())) {
      return Optional.empty();
    }
    Path real = file.toRealPath();
    return real.startsWith(projectDir.get().toRealPath()) ? Optional.empty() : Optional.of(real);
  }

  private Source source(String name) {
    for (Path dir : overrideDirs) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)) {
        try {
          outsideProject(file)
              .ifPresent(
                  real -> {
                    // A pushed commit's symlink would make hoist server render its own files.
                    throw new TemplateException(
                        file
                            + " leads outside the project through a symlink (to "
                            + real
                            + "); copy the template into .hoist/templates");
                  });
          return new Source(file.toString(), Files.readString(file));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    try (InputStream in = Templates.class.getResourceAsStream(BUILT_IN + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no built-in template " + name);
      }
      return new Source("built-in " + name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
