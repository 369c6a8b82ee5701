package dev.hoist.server.gitpush;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command a pusher's ssh asked for ({@code SSH_ORIGINAL_COMMAND}), held to the one form {@code
 * git push hoist@SERVER:PROJECT} sends: {@code git-receive-pack 'PROJECT'} ({@code '/PROJECT'} for
 * an ssh:// URL, {@code .git} allowed). Anything else, a shell above all, is refused; the project
 * name is checked here as server.yml checks it, so it is safe as a file name and a URL segment.
 */
public record SshCommand(String project) {
  private static final Pattern RECEIVE =
      Pattern.compile("git-receive-pack '/?([a-z][a-z0-9-]{0,62}?)(?:\\.git)?/?'");
  static final String USAGE = "push with: git push hoist@SERVER:PROJECT BRANCH";

  /**
   * @param original {@code SSH_ORIGINAL_COMMAND}; null when the client asked for a login shell
   * @throws PushRefused for anything but a receive-pack of a well-formed project name
   */
  public static SshCommand parse(String original) throws PushRefused {
    if (original == null || original.isBlank()) {
      throw new PushRefused("this account takes git pushes only, no shell; " + USAGE);
    }
    Matcher m = RECEIVE.matcher(original);
    if (m.matches()) {
      return new SshCommand(m.group(1));
    }
    if (original.startsWith("git-upload-pack ") || original.startsWith("git-upload-archive ")) {
      throw new PushRefused(
          "this server receives pushes only; clone or fetch from your git host instead");
    }
    if (original.startsWith("git-receive-pack ")) {
      throw new PushRefused(
          "not a project name: "
              + printable(original.substring("git-receive-pack ".length()))
              + " (lowercase letters, digits and '-', as in server.yml); "
              + USAGE);
    }
    throw new PushRefused(
        "refused to run '"
            + printable(original)
            + "': this account takes git pushes only; "
            + USAGE);
  }

  // What the client sent goes back to its terminal: no control characters, bounded length.
  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints().limit(80).forEach(c -> out.appendCodePoint(c < 0x20 || c == 0x7f ? '?' : c));
    return text.codePointCount(0, text.length()) > 80 ? out + "..." : out.toString();
  }
}
