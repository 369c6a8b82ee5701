package dev.hoist.release;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Gitignore-like patterns over project-relative paths ({@code a/b.py}): {@code *} and {@code ?}
 * within a name, {@code **} across directories, {@code [abc]}, a trailing {@code /} for directories
 * only, a {@code /} at the start or inside anchoring the pattern at the project root (else it
 * matches a name at any depth), {@code !} taking a path back; the last matching pattern wins, and a
 * path inside a matched directory is matched too (as in git, it cannot be taken back).
 */
final class PathRules {
  private record Rule(Pattern pattern, boolean negated, boolean dirOnly) {}

  private final List<Rule> rules;

  private PathRules(List<Rule> rules) {
    this.rules = rules;
  }

  /** Rules from the lines of a {@code .hoistignore}; blank lines and {@code #} comments skipped. */
  static PathRules parse(List<String> lines) {
    List<Rule> rules = new ArrayList<>();
    for (String line : lines) {
      String p = line.strip();
      if (p.isEmpty() || p.startsWith("#")) {
        continue;
      }
      boolean negated = p.startsWith("!");
      if (negated) {
        p = p.substring(1);
      }
      boolean dirOnly = p.endsWith("/");
      p = p.replaceAll("/+$", "");
      boolean anchored = p.contains("/");
      p = p.replaceAll("^/+", "");
      if (!p.isEmpty()) {
        String regex = (anchored ? "" : "(?:.*/)?") + regex(p);
        rules.add(new Rule(Pattern.compile(regex), negated, dirOnly));
      }
    }
    return new PathRules(List.copyOf(rules));
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Whether {@code rel} (a directory if {@code dir}), or a directory it lies in, is matched. */
  boolean matches(String rel, boolean dir) {
    int slash = rel.indexOf('/');
    while (slash >= 0) {
      if (matchesItself(rel.substring(0, slash), true)) {
        return true;
      }
      slash = rel.indexOf('/', slash + 1);
    }
    return matchesItself(rel, dir);
  }

  private boolean matchesItself(String rel, boolean dir) {
    boolean matched = false;
    for (Rule r : rules) {
      if ((dir || !r.dirOnly()) && r.pattern().matcher(rel).matches()) {
        matched = !r.negated();
      }
    }
    return matched;
  }

  private static String regex(String glob) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i);
      if (glob.startsWith("**/", i) && (i == 0 || glob.charAt(i - 1) == '/')) {
        out.append("(?:.*/)?");
        i += 3;
      } else if (glob.startsWith("**", i)) {
        out.append(".*");
        i += 2;
      } else if (c == '*') {
        out.append("[^/]*");
        i++;
      } else if (c == '?') {
        out.append("[^/]");
        i++;
      } else if (c == '[' && glob.indexOf(']', i + 2) > 0) {
        int end = glob.indexOf(']', i + 2);
        String set = glob.substring(i + 1, end);
        boolean not = set.startsWith("!") || set.startsWith("^");
        out.append(not ? "[^" : "[")
            .append(set.substring(not ? 1 : 0).replace("\\", "\\\\").replace("[", "\\["))
            .append(']');
        i = end + 1;
      } else if (c == '\\' && i + 1 < glob.length()) {
        out.append(Pattern.quote(String.valueOf(glob.charAt(i + 1))));
        i += 2;
      } else {
        out.append(Pattern.quote(String.valueOf(c)));
        i++;
      }
    }
    return out.toString();
  }
}
