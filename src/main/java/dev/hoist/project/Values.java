package dev.hoist.project;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the small formats in hoist.yml (names, hostnames, packages, prefixes); each failure says
 * what to write.
 */
final class Values {
  private static final Pattern APP = Pattern.compile("[a-z][a-z0-9-]{0,30}");
  // The app runs as a Unix user of its own name, so it must never become one the system already
  // relies on.
  private static final Set<String> SYSTEM_USERS =
      Set.of(
          "root",
          "daemon",
          "bin",
          "sys",
          "sync",
          "nobody",
          "www-data",
          "nginx",
          "postgres",
          "sshd");
  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";
  private static final Pattern WSGI =
      Pattern.compile(
          "(" + IDENTIFIER + "(?:\\." + IDENTIFIER + ")*):(" + IDENTIFIER + ")(\\(\\))?");
  private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
  private static final Pattern HOSTNAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");
  private static final Pattern PACKAGE = Pattern.compile("([a-z0-9][a-z0-9+.-]+)(?:=(.*))?");
  private static final Pattern DEBIAN_VERSION = Pattern.compile("[0-9][A-Za-z0-9.+~:-]*");
  private static final Pattern ENV_NAME = Pattern.compile(IDENTIFIER);
  private static final Pattern NODE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
  private static final Pattern UNIX_USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final Pattern PROCESS = Pattern.compile("[a-z][a-z0-9-]{0,20}");
  // URL path characters that need no escaping in nginx config or URLs.
  private static final Pattern URL_PREFIX = Pattern.compile("/[A-Za-z0-9._~%@+,=:/-]*");

  private Values() {}

  static String app(String text) {
    if (!APP.matcher(text).matches()) {
      throw new InvalidValue(
          "expected a name of lowercase letters, digits and '-' that starts with a letter (at most"
              + " 31), found '"
              + text
              + "'",
          "it becomes a Unix user name and part of paths; write e.g. 'app: " + appLike(text) + "'");
    }
    if (SYSTEM_USERS.contains(text)) {
      throw new InvalidValue(
          "'" + text + "' is a system user name",
          "choose another name; the app runs as a Unix user of that name");
    }
    return text;
  }

  private static String appLike(String text) {
    String guess =
        text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^[^a-z]+|-+$", "");
    guess = guess.length() > 31 ? guess.substring(0, 31) : guess;
    return APP.matcher(guess).matches() ? guess : "hello";
  }

  static WsgiEntry wsgi(String text) {
    Matcher m = WSGI.matcher(text);
    if (m.matches()) {
      return new WsgiEntry(m.group(1), m.group(2), m.group(3) != null);
    }
    String found = "expected module:callable like hello:application, found '" + text + "'";
    if (!text.contains(":")) {
      throw new InvalidValue(
          found, "add the name of the WSGI callable, e.g. '" + text + ":application'");
    }
    if (text.contains("/")) {
      throw new InvalidValue(
          found, "name the module with dots, not a file path, e.g. 'mysite.wsgi:application'");
    }
    if (text.matches(".*\\(.+\\)")) {
      throw new InvalidValue(
          found, "an app factory is called without arguments, e.g. 'hello:create_app()'");
    }
    throw new InvalidValue(
        found, "module and callable are Python identifiers, e.g. 'mysite.wsgi:application'");
  }

  /** A hostname, or {@code _} (any host) where {@code anyAllowed}. */
  static String hostname(String text, boolean anyAllowed) {
    if (text.equals("_")) {
      if (anyAllowed) {
        return text;
      }
      throw new InvalidValue("'_' (any host) can only be the domain", "list real hostnames here");
    }
    if (HOSTNAME.matcher(text).matches() && text.length() <= 253) {
      return text;
    }
    String found = "expected a hostname like hello.example.com, found '" + text + "'";
    String lower = text.toLowerCase(Locale.ROOT);
    if (!lower.equals(text) && HOSTNAME.matcher(lower).matches()) {
      throw new InvalidValue(found, "write it in lowercase: '" + lower + "'");
    }
    if (text.contains("/") || text.contains(":")) {
      throw new InvalidValue(found, "give only the host name, without scheme, port or path");
    }
    throw new InvalidValue(
        found,
        "use lowercase letters, digits, '-' and '.', each part starting and ending with a letter or"
            + " digit");
  }

  static PackageRef packageRef(String text) {
    Matcher m = PACKAGE.matcher(text);
    if (!m.matches()) {
      String lower = text.toLowerCase(Locale.ROOT);
      throw new InvalidValue(
          "expected a Debian package like libpq-dev or curl=7.88.1-10, found '" + text + "'",
          lower.equals(text)
              ? "check the name with 'apt-cache search'"
              : "package names are lowercase: " + lower);
    }
    if (m.group(2) != null && !DEBIAN_VERSION.matcher(m.group(2)).matches()) {
      throw new InvalidValue(
          "expected a Debian version after '=', found '" + m.group(2) + "'",
          "copy the exact version from 'apt-cache policy "
              + m.group(1)
              + "', or drop '=' to take the current one");
    }
    return new PackageRef(m.group(1), Optional.ofNullable(m.group(2)));
  }

  static String envName(String text) {
    if (!ENV_NAME.matcher(text).matches()) {
      throw new InvalidValue(
          "expected a variable name of letters, digits and '_' not starting with a digit, found '"
              + text
              + "'",
          "e.g. DATABASE_URL");
    }
    if (text.startsWith("HOIST_")) {
      throw new InvalidValue(
          "names starting with HOIST_ are reserved for hoist",
          "rename it; hoist sets HOIST_ variables itself");
    }
    return text;
  }

  static String processName(String text) {
    if (!PROCESS.matcher(text).matches()) {
      throw new InvalidValue(
          "expected a process name of lowercase letters, digits and '-' that starts with a letter"
              + " (at most 21), found '"
              + text
              + "'",
          "it names a system service, e.g. 'worker' or 'beat'");
    }
    return text;
  }

  /** A URL prefix such as {@code /static}, returned without trailing slashes. */
  static String urlPrefix(String text) {
    if (!URL_PREFIX.matcher(text).matches()) {
      throw new InvalidValue(
          "expected a URL prefix like /static, found '" + text + "'",
          text.startsWith("/")
              ? "use letters, digits and - . _ ~ / only (no spaces or quotes)"
              : "start it with '/': '/" + text + "'");
    }
    String prefix = text.replaceAll("/+$", "");
    if (prefix.isEmpty()) {
      throw new InvalidValue(
          "'/' would serve every URL from files and hide the app", "use a prefix like /static");
    }
    if (("/" + prefix + "/").contains("/../") || ("/" + prefix + "/").contains("/./")) {
      throw new InvalidValue(
          "expected a URL prefix without '.' or '..' parts, found '" + text + "'", null);
    }
    return prefix;
  }

  /** A node or environment name: it shows in tables and on the command line (--node web1). */
  static String nodeName(String text) {
    if (!NODE.matcher(text).matches()) {
      throw new InvalidValue(
          "expected a name of lowercase letters, digits, '.', '_' and '-', found '" + text + "'",
          "e.g. web1 or live-db");
    }
    return text;
  }

  static String unixUser(String text) {
    if (!UNIX_USER.matcher(text).matches()) {
      throw new InvalidValue(
          "expected a Unix user name, found '" + text + "'", "e.g. root or deploy");
    }
    return text;
  }

  static int port(String text) {
    if (!text.matches("[0-9]{1,5}")
        || Integer.parseInt(text) < 1
        || Integer.parseInt(text) > 65535) {
      throw new InvalidValue(
          "expected a port from 1 to 65535, found '" + text + "'", "SSH listens on 22");
    }
    return Integer.parseInt(text);
  }

  /** A hostname or an IP address to connect to (IPv6 without brackets). */
  static String sshHost(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    if (HOSTNAME.matcher(lower).matches() || (text.contains(":") && IPV6.matcher(text).matches())) {
      return lower;
    }
    throw new InvalidValue(
        "expected a hostname or IP address, found '" + text + "'",
        "e.g. 10.0.0.11 or web1.example.com");
  }
}
