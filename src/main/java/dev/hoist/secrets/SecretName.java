package dev.hoist.secrets;

import java.util.Set;
import java.util.regex.Pattern;

/** A secret's name: an environment variable name that hoist does not set itself. */
public final class SecretName {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Set by hoist or by the app's run environment; a secret would be overwritten or break it. */
  static final Set<String> RESERVED =
      Set.of("HOME", "PATH", "USER", "LOGNAME", "SHELL", "PWD", "VIRTUAL_ENV");

  private SecretName() {}

  /** Returns {@code name} when it may name a secret; the message names it and says why not. */
  public static String check(String name) throws SecretsException {
    if (!NAME.matcher(name).matches()) {
      throw new SecretsException(
          "'"
              + name
              + "' is not a secret name: use an environment variable name (letters, digits and _,"
              + " not starting with a digit), e.g. DATABASE_URL");
    }
    if (name.startsWith("HOIST_") || RESERVED.contains(name)) {
      throw new SecretsException(
          "'"
              + name
              + "' is not a secret name: hoist sets "
              + (name.startsWith("HOIST_") ? "HOIST_* variables" : name)
              + " itself; pick another name");
    }
    return name;
  }
}
