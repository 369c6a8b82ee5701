package dev.hoist.secrets;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a dotenv file: {@code KEY=VALUE} lines, an optional {@code export } before the key, values
 * bare (a {@code #} after a space starts a comment), in single quotes (literal, may span lines) or
 * double quotes (escapes {@code \n \r \t \\ \" \$}, may span lines); {@code #} comment lines and
 * blank lines are skipped. Nothing is expanded: {@code ${X}} stays as written. A later key wins.
 * Errors name the file and line, never a value.
 */
public final class Dotenv {
  private final String text;
  private final String source;
  private int pos;
  private int line = 1;

  private Dotenv(String text, String source) {
    this.text = text;
    this.source = source;
  }

  /** The pairs in {@code text}, in file order; {@code source} names the file in errors. */
  public static Map<String, String> parse(String text, String source) throws SecretsException {
    return new Dotenv(text, source).pairs();
  }

  private Map<String, String> pairs() throws SecretsException {
    Map<String, String> out = new LinkedHashMap<>();
    while (pos < text.length()) {
      skipBlanks();
      if (pos >= text.length()) {
        break;
      }
      if (peek() == '\n' || peek() == '#') {
        skipLine();
        continue;
      }
      int start = line;
      if (text.startsWith("export ", pos) || text.startsWith("export\t", pos)) {
        pos += 7;
        skipBlanks();
      }
      int eq = pos;
      while (eq < text.length() && text.charAt(eq) != '=' && text.charAt(eq) != '\n') {
        eq++;
      }
      if (eq >= text.length() || text.charAt(eq) != '=') {
        throw error(start, "expected KEY=VALUE");
      }
      String key = text.substring(pos, eq).strip();
      try {
        SecretName.check(key);
      } catch (SecretsException e) {
        throw error(start, e.getMessage());
      }
      pos = eq + 1;
      skipBlanks();
      out.put(key, value(start));
    }
    return out;
  }

  private String value(int start) throws SecretsException {
    if (pos < text.length() && (peek() == '\'' || peek() == '"')) {
      char quote = text.charAt(pos++);
      StringBuilder value = new StringBuilder();
      while (true) {
        if (pos >= text.length()) {
          throw error(start, "the value's " + quote + " quote is never closed");
        }
        char c = text.charAt(pos++);
        if (c == '\n') {
          line++;
        }
        if (c == quote) {
          break;
        }
        if (quote == '"' && c == '\\' && pos < text.length()) {
          c = unescape(text.charAt(pos++));
          if (c == 0) {
            value.append('\\');
            c = text.charAt(pos - 1);
          }
        }
        value.append(c);
      }
      skipBlanks();
      if (pos < text.length() && peek() != '\n' && peek() != '#') {
        throw error(line, "unexpected text after the quoted value");
      }
      skipLine();
      return value.toString();
    }
    int end = text.indexOf('\n', pos);
    end = end < 0 ? text.length() : end;
    String raw = text.substring(pos, end);
    int comment = commentStart(raw);
    pos = end;
    skipLine();
    return (comment < 0 ? raw : raw.substring(0, comment)).strip();
  }

  /** Where a comment starts in a bare value: a {@code #} at its start or after a blank. */
  private static int commentStart(String raw) {
    for (int i = 0; i < raw.length(); i++) {
      if (raw.charAt(i) == '#' && (i == 0 || Character.isWhitespace(raw.charAt(i - 1)))) {
        return i;
      }
    }
    return -1;
  }

  /** The character a double-quoted {@code \c} stands for, or 0 to keep the backslash. */
  private static char unescape(char c) {
    return switch (c) {
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case '\\', '"', '$' -> c;
      default -> 0;
    };
  }

  private char peek() {
    return text.charAt(pos);
  }

  private void skipBlanks() {
    while (pos < text.length() && (peek() == ' ' || peek() == '\t' || peek() == '\r')) {
      pos++;
    }
  }

  private void skipLine() {
    int nl = text.indexOf('\n', pos);
    pos = nl < 0 ? text.length() : nl + 1;
    if (nl >= 0) {
      line++;
    }
  }

  private SecretsException error(int at, String what) {
    return new SecretsException(source + ":" + at + ": " + what);
  }
}
