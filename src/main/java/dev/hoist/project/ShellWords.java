package dev.hoist.project;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** POSIX sh word splitting (no expansion) and quoting: Hoist's one way between argv and sh. */
public final class ShellWords {
  // Characters that mean nothing to sh anywhere in a word; everything else gets quoted.
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
  // sh reads a leading NAME=value word as a variable assignment, not as the program to run.
  private static final Pattern ASSIGNMENT =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*", Pattern.DOTALL);

  private ShellWords() {}

  /**
   * Splits {@code command} into words like sh would, but without expanding anything: {@code $HOME},
   * {@code *} and {@code ~} stay literal, and operators such as {@code &&} or {@code |} are plain
   * words.
   *
   * @throws IllegalArgumentException on an unclosed quote or a trailing backslash; the message
   *     names the position
   */
  public static List<String> split(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < command.length()) {
      char c = command.charAt(i);
      switch (c) {
        case ' ', '\t', '\n' -> {
          if (inWord) {
            words.add(word.toString());
            word.setLength(0);
            inWord = false;
          }
          i++;
        }
        case '\'' -> {
          int end = command.indexOf('\'', i + 1);
          if (end < 0) {
            throw unclosed("single quote (')", i);
          }
          word.append(command, i + 1, end);
          inWord = true;
          i = end + 1;
        }
        case '"' -> {
          i = doubleQuoted(command, i, word);
          inWord = true;
        }
        case '\\' -> {
          if (i + 1 == command.length()) {
            throw new IllegalArgumentException(
                "the command ends with a backslash that escapes nothing (character "
                    + (i + 1)
                    + ")");
          }
          // POSIX: backslash-newline is a line continuation and vanishes.
          if (command.charAt(i + 1) != '\n') {
            word.append(command.charAt(i + 1));
            inWord = true;
          }
          i += 2;
        }
        default -> {
          word.append(c);
          inWord = true;
          i++;
        }
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return List.copyOf(words);
  }

  /**
   * Appends the double-quoted string starting at {@code open} and returns the index after its
   * closing quote.
   */
  private static int doubleQuoted(String command, int open, StringBuilder word) {
    int i = open + 1;
    while (i < command.length()) {
      char c = command.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c == '\\' && i + 1 < command.length()) {
        char next = command.charAt(i + 1);
        // Inside double quotes POSIX sh only honours these escapes; any other backslash is literal.
        if (next == '"' || next == '\\' || next == '$' || next == '`') {
          word.append(next);
          i += 2;
          continue;
        }
        if (next == '\n') {
          i += 2;
          continue;
        }
      }
      word.append(c);
      i++;
    }
    throw unclosed("double quote (\")", open);
  }

  private static IllegalArgumentException unclosed(String what, int index) {
    return new IllegalArgumentException(
        "unclosed " + what + " that opens at character " + (index + 1));
  }

  /**
   * Quotes one word for sh: safe words stay as they are, anything else is single-quoted; never
   * null, never empty.
   */
  public static String quote(String word) {
    if (word.isEmpty()) {
      return "''";
    }
    if (SAFE.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /**
   * Joins argv into one sh command line that runs exactly that argv; {@code split(join(argv))}
   * gives argv back.
   */
  public static String join(List<String> argv) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < argv.size(); i++) {
      String word = argv.get(i);
      if (i > 0) {
        out.append(' ');
      }
      if (i == 0 && ASSIGNMENT.matcher(word).matches()) {
        out.append("'").append(word.replace("'", "'\\''")).append("'");
      } else {
        out.append(quote(word));
      }
    }
    return out.toString();
  }
}
