package dev.hoist.project;

import java.util.Optional;

/** A hoist.yml value of the wrong form; becomes a {@link SpecProblem} at the value. */
public final class InvalidValue extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final String hint;

  public InvalidValue(String message, String hint) {
    super(message);
    this.hint = hint;
  }

  Optional<String> hint() {
    return Optional.ofNullable(hint);
  }
}
