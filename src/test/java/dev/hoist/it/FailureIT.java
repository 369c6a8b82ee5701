package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and failures: each gets a clear message and a non-zero exit, and the live release keeps
 * serving.
 */
class FailureIT {
  @TempDir static Path tmp;

  @BeforeAll
  @AfterAll
  static void clean() throws Exception {
    Hoist.purge("itnginx");
    Hoist.sh("umount /srv/itdisk 2>/dev/null; true");
    Hoist.purge("itdisk");
  }

  @Test
  void invalidSpecNamesFileLineColumnAndTheLikelyKey() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("bad"));
    Files.writeString(
        project.resolve("hoist.yml"), "app: bad\nwsgi: bad:application\nhealth:\n  timout: 5s\n");
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("hoist.yml:4:3").contains("timout").contains("timeout");
    assertThat(Files.exists(Path.of("/srv/bad"))).isFalse();
  }

  @Test
  void notRootIsRefusedWithWhatToDo() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar =
        Path.of(System.getProperty("hoist.jar", "target/hoist.jar")).toAbsolutePath().toString();
    String examples =
        Path.of(System.getProperty("hoist.root", "."), "examples", "hello")
            .toAbsolutePath()
            .toString();
    String out =
        Hoist.sh(
            "cd / && NO_COLOR=1 runuser -u nobody -- "
                + java
                + " -jar "
                + jar
                + " plan "
                + examples
                + "; echo exit=$?");
    assertThat(out).contains("must run as root").contains("sudo").contains("exit=3");
  }

  @Test
  void nginxConfigThatNginxRejectsIsNeverLoaded() throws Exception {
    Path project = Hoist.copyExample("hello", "hello", "itnginx", tmp);
    Hoist.Result good = Hoist.run("deploy", project.toString());
    assertThat(good.exit()).as(good.all()).isZero();
    Path site = Path.of("/etc/nginx/sites-enabled/hoist-itnginx.conf");
    String before = Files.readString(site);
    Path override = Files.createDirectories(project.resolve(".hoist/templates"));
    Files.writeString(
        override.resolve("nginx-site.conf.j2"),
        "server { listen 80; server_name {{ domain }}; no_such_directive on; }\n");
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.all())
        .contains("nginx -t -q rejected")
        .contains("no_such_directive")
        .contains("old one was kept");
    assertThat(Files.readString(site)).isEqualTo(before);
    assertThat(Http.get("itnginx.test", "/").body()).contains("version 1");
  }

  @Test
  void fullDiskWhileUnpackingKeepsTheLiveRelease() throws Exception {
    Path project = Hoist.copyExample("hello", "hello", "itdisk", tmp);
    Files.createDirectories(Path.of("/srv/itdisk"));
    Hoist.sh("mount -t tmpfs -o size=3m tmpfs /srv/itdisk");
    Hoist.Result good = Hoist.run("deploy", project.toString());
    assertThat(good.exit()).as(good.all()).isZero();
    byte[] noise = new byte[4 << 20];
    new Random(1).nextBytes(noise);
    Files.write(project.resolve("big.bin"), noise);
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.all()).contains("unpack").contains("No space left on device");
    assertThat(Http.get("itdisk.test", "/").body()).contains("version 1");
    Files.delete(project.resolve("big.bin"));
    Hoist.Result again = Hoist.run("deploy", project.toString());
    assertThat(again.exit()).as(again.all()).isZero();
  }
}
