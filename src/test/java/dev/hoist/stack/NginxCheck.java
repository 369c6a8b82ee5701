package dev.hoist.stack;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The real {@code nginx -t} on a rendered site, in a throw-away prefix (logs kept there too). */
final class NginxCheck {
  static final Path NGINX = Path.of("/usr/sbin/nginx");

  private NginxCheck() {}

  static boolean installed() {
    return Files.isExecutable(NGINX);
  }

  /** Asserts nginx accepts {@code site} (a server-level config) inside an http block. */
  static void accepts(Path dir, String site) throws Exception {
    String local = site.replace("/var/log/nginx/", dir + "/");
    Files.writeString(dir.resolve("site.conf"), local);
    Files.writeString(
        dir.resolve("nginx.conf"),
        "pid "
            + dir
            + "/nginx.pid;\nerror_log "
            + dir
            + "/error.log;\nevents {}\nhttp {\n  include "
            + dir
            + "/site.conf;\n}\n");
    Process p =
        new ProcessBuilder(
                NGINX.toString(),
                "-t",
                "-q",
                "-p",
                dir.toString(),
                "-c",
                dir.resolve("nginx.conf").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out + "\n" + local).isZero();
  }
}
