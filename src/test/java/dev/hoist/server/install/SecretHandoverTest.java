package dev.hoist.server.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hand-over-secret, the root-owned script the install runs on each secret file, for real. */
class SecretHandoverTest {
  @TempDir Path tmp;

  @Test
  void aSecretFileWithASecondNameIsRefusedAndLeftAsItWas() throws Exception {
    // Its directory walk accepts only directories root owns: the test's are root's when it is.
    assumeTrue((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "needs root");
    Path script = Files.writeString(tmp.resolve("hand-over-secret"), SecretHandover.text());
    Path secret = Files.writeString(tmp.resolve("shop.secret"), "s3cret\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
    Files.createLink(tmp.resolve("other-name"), secret);

    Process p =
        new ProcessBuilder("/usr/bin/python3", "-I", script.toString(), "give", secret.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor()).isEqualTo(1);
    assertThat(out)
        .contains("cannot hand " + secret + " to the hoist user: it has 2 names (hard links)")
        .doesNotContain("s3cret");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-r-----");
    assertThat(Files.getAttribute(secret, "unix:uid")).isEqualTo(0);
  }
}
