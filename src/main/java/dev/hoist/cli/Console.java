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
    out.println(text);
  }

  public void error(String text) {
    err.println(paint("31", "error: ") + text);
  }

  public void warn(String text) {
    err.println(paint("33", "warning: ") + text);
  }

  public void progress(String text) {
    err.println(text);
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
