package dev.hoist.scaffold;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a skeleton into the files of a project: path segments are rendered with Jinja, and so is
 * the content of files named {@code *.j2}, which lose that suffix; other files are copied as they
 * are.
 */
final class SkeletonRenderer {
  private static final String SUFFIX = ".j2";

  private final Jinjava jinjava =
      new Jinjava(
          JinjavaConfig.newBuilder()
              // A misspelt variable must fail, not leave a blank in the user's hoist.yml.
              .withFailOnUnknownTokens(true)
              // Files keep their final newline, as Jinja2 users expect from keep_trailing_newline.
              .withKeepTrailingNewline(true)
              .build());

  /** The project's files, keyed by their path relative to the project with '/' separators. */
  SortedMap<String, byte[]> render(Skeleton skeleton, Map<String, ?> vars)
      throws ScaffoldException {
    SortedMap<String, byte[]> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> file : skeleton.files().entrySet()) {
      String source = file.getKey();
      boolean template = source.endsWith(SUFFIX);
      String where = skeleton.origin() + ": " + source;
      String target = renderPath(template ? strip(source) : source, vars, where);
      byte[] content =
          template
              ? renderText(new String(file.getValue(), StandardCharsets.UTF_8), vars, where)
                  .getBytes(StandardCharsets.UTF_8)
              : file.getValue();
      if (out.put(target, content) != null) {
        throw new ScaffoldException(where + ": another file of the skeleton also makes " + target);
      }
    }
    return out;
  }

  private String renderPath(String path, Map<String, ?> vars, String where)
      throws ScaffoldException {
    StringBuilder out = new StringBuilder();
    for (String segment : path.split("/", -1)) {
      String name = renderText(segment, vars, where);
      // A rendered name must stay one plain segment, or the file could land outside the project.
      if (name.isBlank()
          || name.equals(".")
          || name.equals("..")
          || name.matches(".*[/\\\\\\x00].*")) {
        throw new ScaffoldException(
            "%s: the name '%s' renders as '%s', which is not a usable file name"
                .formatted(where, segment, name));
      }
      if (!out.isEmpty()) {
        out.append('/');
      }
      out.append(name);
    }
    return out.toString();
  }

  private String renderText(String text, Map<String, ?> vars, String where)
      throws ScaffoldException {
    RenderResult result;
    try {
      result = jinjava.renderForResult(text, vars);
    } catch (RuntimeException e) {
      // Jinjava throws for some errors (an unknown variable) and reports others in the result.
      throw new ScaffoldException(where + ": " + e.getMessage(), e);
    }
    Optional<TemplateError> fatal =
        result.getErrors().stream()
            .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
            .findFirst();
    if (fatal.isPresent()) {
      throw new ScaffoldException(
          where + ":" + fatal.get().getLineno() + ": " + fatal.get().getMessage());
    }
    return result.getOutput();
  }

  private static String strip(String path) {
    return path.substring(0, path.length() - SUFFIX.length());
  }
}
