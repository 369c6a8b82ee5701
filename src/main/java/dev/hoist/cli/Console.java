package dev.hoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.PrintStream;

/** All output goes through here: plain text with optional colour, or JSON for scripts. */
public final class Console {
  private final PrintStream out;
  private final PrintStream err;
  private final boolean color;

  public Console(PrintStream out, PrintStream err, boolean color) {
    this.out = out;
    this.err = err;
    this.color = color;
  }

  /** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
  public static Console system() {
    return new Console(System.out, System.err, isTerminal() && System.getenv("NO_COLOR") == null);
  }

  static boolean isTerminal() {
    return terminal() != null;
  }

  /**
   * The console when there is a terminal to talk to, else null. Java 22+ returns a console even
   * when input or output is redirected; its isTerminal() (called reflectively: Hoist builds for
   * Java 21) then tells.
   */
  @SuppressWarnings("SystemConsoleNull") // the null check is Java 21's answer, isTerminal() 22+'s
  static java.io.Console terminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return null;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console)
          ? console
          : null;
    } catch (ReflectiveOperationException e) {
      return console;
    }
  }

  public void line(String text) {
    out.println(safe(text));
  }

  public void error(String text) {
    err.println(paint("31", "error: ") + safe(text));
  }

  public void warn(String text) {
    err.println(paint("33", "warning: ") + safe(text));
  }

  public void progress(String text) {
    err.println(safe(text));
  }

  /**
   * {@code text} without terminal control sequences other than colour: lines often carry a node's
   * or an app's own words (a drill's output, PostgreSQL's errors with the app's RAISE text), which
   * must not move the cursor, retitle the window or rewrite what the user sees. Colour codes (ESC [
   * digits m) stay; every other control character but newline and tab becomes '?'.
   */
  static String safe(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean control = (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c < 0xa0);
      if (c == 0x1b) {
        int end = colourEnd(text, i);
        if (end > 0) {
          if (b != null) {
            b.append(text, i, end);
          }
          i = end - 1;
          continue;
        }
      }
      if (control && b == null) {
        b = new StringBuilder(text.length()).append(text, 0, i);
      }
      if (b != null) {
        b.append(control ? '?' : c);
      }
    }
    return b == null ? text : b.toString();
  }

  /** The end of the colour code starting at {@code i} (ESC [ digits-and-semicolons m), or -1. */
  private static int colourEnd(String text, int i) {
    if (i + 1 >= text.length() || text.charAt(i + 1) != '[') {
      return -1;
    }
    for (int j = i + 2; j < text.length(); j++) {
      char c = text.charAt(j);
      if (c == 'm') {
        return j + 1;
      }
      if (!(Character.isDigit(c) || c == ';')) {
        return -1;
      }
    }
    return -1;
  }

  /** Whether progress may be redrawn in place (a terminal that understands ANSI). */
  public boolean live() {
    return color;
  }

  /** Writes {@code text} to stderr as is (ANSI cursor moves included) and flushes. */
  public void progressRaw(String text) {
    err.print(text);
    err.flush();
  }

  public String green(String text) {
    return paint("32", text);
  }

  public String red(String text) {
    return paint("31", text);
  }

  public String yellow(String text) {
    return paint("33", text);
  }

  public String dim(String text) {
    return paint("2", text);
  }

  public String bold(String text) {
    return paint("1", text);
  }

  private String paint(String code, String text) {
    return color ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
  }

  /** Prints {@code value} (a record, list or map) as indented JSON on stdout. */
  public void json(Object value) {
    try {
      out.println(MAPPER.writeValueAsString(value));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new Jdk8Module())
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .enable(SerializationFeature.INDENT_OUTPUT);
}
