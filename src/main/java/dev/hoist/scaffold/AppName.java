package dev.hoist.scaffold;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks an app name, or derives one from the project directory's name. */
final class AppName {
  /** The same rule as {@code app} in hoist.yml. */
  static final Pattern VALID = Pattern.compile("[a-z][a-z0-9-]{0,30}");

  // The skeletons make a Python module named after the app, and the app's directory comes first on
  // sys.path: one of these names would hide the library of that name (an app called "flask" could
  // not import Flask). Modules loaded before sys.path gets the app (os, site, ...) are safe.
  private static final Set<String> SHADOWED =
      Set.of(
          """
          django flask gunicorn werkzeug jinja2 markupsafe click itsdangerous asgiref sqlparse pytz
          email http html json logging types typing string random secrets select socket signal
          sqlite3 pathlib wsgiref collections decimal uuid calendar csv
          """
              .strip()
              .split("\\s+"));

  private AppName() {}

  /** {@code given} if not null, else a name derived from {@code dir}; either way, checked. */
  static String resolve(String given, Path dir) throws ScaffoldException {
    String name = given != null ? given : derive(dir);
    if (!VALID.matcher(name).matches()) {
      throw new ScaffoldException(
          given == null
              ? ("cannot make an app name from the directory %s (got '%s'; it must start with"
                      + " a letter): pass --name")
                  .formatted(dir, name)
              : ("invalid app name '%s': use lowercase letters, digits and '-', starting with a"
                      + " letter, at most 31 characters")
                  .formatted(given));
    }
    if (SHADOWED.contains(module(name))) {
      throw new ScaffoldException(
          ("app name '%s' would make a Python module '%s' that hides the library of that"
                  + " name: pass --name with another name")
              .formatted(name, module(name)));
    }
    return name;
  }

  /** The Python module name for an app, since '-' is not allowed in Python identifiers. */
  static String module(String app) {
    return app.replace('-', '_');
  }

  /** The directory's name, lowercased, with each run of other characters turned into one '-'. */
  static String derive(Path dir) {
    Path last = dir.toAbsolutePath().normalize().getFileName();
    if (last == null) {
      return "";
    }
    // Accents go first, so that "Café" becomes cafe rather than caf-.
    String plain =
        Normalizer.normalize(last.toString(), Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    String name = plain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    // "My Site!" reads better as my-site than as my-site-.
    return name.replaceAll("-{2,}", "-").replaceAll("-+$", "");
  }
}
