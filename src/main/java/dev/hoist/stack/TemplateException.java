package dev.hoist.stack;

/** A template that does not render; the message names the template and line. */
public final class TemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TemplateException(String message) {
    super(message);
  }
}
