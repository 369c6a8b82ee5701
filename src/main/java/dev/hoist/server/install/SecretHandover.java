package dev.hoist.server.install;

import dev.hoist.engine.ExecResource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A server run as {@code hoist} reads each project's webhook secret as that user: the install hands
 * every secret file to it (owner hoist, 0600; never readable by others), checking first that no
 * other user than root can change a directory above the file, else it stops and names the file and
 * the command to run (src/main/resources/dev/hoist/server/install/hand-over-secret.py).
 */
final class SecretHandover {
  static final Path SCRIPT = InstallLayout.LIB.resolve("hand-over-secret");

  private SecretHandover() {}

  /** Runs the handover when {@code secret} is not hoist's 0600 file yet. */
  static ExecResource resource(Path secret) {
    return new ExecResource(
        "hand-" + secret + "-to-hoist",
        argv("give", secret),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        argv("check", secret),
        false);
  }

  private static List<String> argv(String what, Path secret) {
    return List.of("/usr/bin/python3", "-I", SCRIPT.toString(), what, secret.toString());
  }

  static String text() {
    try (InputStream in =
        SecretHandover.class.getResourceAsStream("/dev/hoist/server/install/hand-over-secret.py")) {
      if (in == null) {
        throw new IllegalStateException("hand-over-secret.py is missing from hoist's jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
