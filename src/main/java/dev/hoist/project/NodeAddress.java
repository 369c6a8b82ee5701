package dev.hoist.project;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code [user@]host[:port]} as written in a node shorthand or a jump, with IPv6 in brackets. */
public record NodeAddress(Optional<String> user, String host, Optional<Integer> port) {
  private static final Pattern FORM =
      Pattern.compile("(?:([^@\\s]+)@)?(\\[[0-9A-Fa-f:.]+\\]|[^:@\\[\\]\\s]+)(?::([0-9]{1,5}))?");

  /**
   * Parses {@code text}.
   *
   * @throws InvalidValue saying what to write when it is not of that form
   */
  public static NodeAddress parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new InvalidValue(
          "expected [user@]host[:port], found '" + text + "'",
          "e.g. deploy@10.0.0.11 or bastion.example.com:2222");
    }
    String host = m.group(2);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    } else {
      host = Values.sshHost(host);
    }
    Optional<String> user = Optional.ofNullable(m.group(1)).map(Values::unixUser);
    Optional<Integer> port = Optional.ofNullable(m.group(3)).map(Values::port);
    return new NodeAddress(user, host, port);
  }
}
