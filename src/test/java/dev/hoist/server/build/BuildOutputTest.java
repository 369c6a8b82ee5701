package dev.hoist.server.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the server deploys after a build: the build's files, the commit's deploy config. */
class BuildOutputTest {
  @TempDir Path tmp;
  Path built;
  Path commit;

  @BeforeEach
  void trees() throws Exception {
    built = Files.createDirectory(tmp.resolve("built"));
    commit = Files.createDirectory(tmp.resolve("commit"));
    Files.writeString(commit.resolve("hoist.yml"), "app: shop\n");
    Files.createDirectories(commit.resolve(".hoist/templates"));
    Files.writeString(commit.resolve(".hoist/templates/nginx.j2"), "from the commit\n");
    Files.writeString(commit.resolve("app.py"), "old\n");
    Files.writeString(commit.resolve("removed-by-build.txt"), "x\n");
  }

  @Test
  void theBuildsFilesReplaceTheCommitsButNotItsDeployConfig() throws Exception {
    Files.writeString(built.resolve("hoist.yml"), "app: shop\npackages: [evil]\n");
    Files.createDirectories(built.resolve(".hoist/templates"));
    Files.writeString(built.resolve(".hoist/templates/nginx.j2"), "from the build\n");
    Files.writeString(built.resolve(".hoistignore"), "*\n");
    Files.writeString(built.resolve("app.py"), "new\n");
    Files.createDirectories(built.resolve("dist/js"));
    Files.writeString(built.resolve("dist/js/app.js"), "js\n");
    Path tool = Files.writeString(built.resolve("manage.py"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxrwxrwx"));

    BuildOutput.takeInto(built, commit);

    assertThat(commit.resolve("hoist.yml")).hasContent("app: shop");
    assertThat(commit.resolve(".hoist/templates/nginx.j2")).hasContent("from the commit");
    assertThat(commit.resolve(".hoistignore")).doesNotExist();
    assertThat(commit.resolve("app.py")).hasContent("new");
    assertThat(commit.resolve("dist/js/app.js")).hasContent("js");
    assertThat(commit.resolve("removed-by-build.txt")).doesNotExist();
    // Executable stays executable; nobody but the owner may write what root deploys.
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(commit.resolve("manage.py"))))
        .isEqualTo("rwxr-xr-x");
  }

  @Test
  void linksAreCopiedAsLinksAndNeverFollowed() throws Exception {
    Path secret = Files.writeString(tmp.resolve("server-key"), "PRIVATE\n");
    Files.createSymbolicLink(built.resolve("key.txt"), secret);
    Files.createDirectory(built.resolve("static"));
    Files.createSymbolicLink(built.resolve("static/etc"), Path.of("/etc"));

    BuildOutput.takeInto(built, commit);

    assertThat(Files.isSymbolicLink(commit.resolve("key.txt"))).isTrue();
    assertThat(Files.readSymbolicLink(commit.resolve("key.txt"))).isEqualTo(secret);
    assertThat(Files.readSymbolicLink(commit.resolve("static/etc"))).isEqualTo(Path.of("/etc"));
  }

  @Test
  void fifosAndSocketsAreLeftOut() throws Exception {
    Path fifo = built.resolve("pipe");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Files.writeString(built.resolve("app.py"), "new\n");

    BuildOutput.takeInto(built, commit);

    assertThat(commit.resolve("pipe")).doesNotExist();
    assertThat(commit.resolve("app.py")).hasContent("new");
  }

  @Test
  void aBuildTreeSwappedForALinkIsRefused() throws Exception {
    Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
    Files.writeString(elsewhere.resolve("loot"), "x\n");
    Path link = Files.createSymbolicLink(tmp.resolve("swapped"), elsewhere);

    Throwable t = catchThrowable(() -> BuildOutput.takeInto(link, commit));

    assertThat(t).isInstanceOf(java.io.IOException.class);
    assertThat(commit.resolve("loot")).doesNotExist();
  }

  @Test
  void aBuildDirSwappedForALinkShipsNothingOfWhereItPoints() throws Exception {
    // The attack of a build that owned its dir: mv it away, link it to any dir holding src/.
    Path victim = Files.createDirectories(tmp.resolve("home-alice/src"));
    Files.writeString(victim.resolve("secret"), "KEY\n");
    Path dir = Files.createSymbolicLink(tmp.resolve("hoist-build-x"), victim.getParent());

    Throwable t = catchThrowable(() -> BuildOutput.takeInto(dir.resolve("src"), commit));

    assertThat(t).isInstanceOf(java.io.IOException.class);
    assertThat(commit.resolve("secret")).doesNotExist();
    assertThat(commit.resolve("app.py")).hasContent("old");
  }

  @Test
  void aBuildDirOthersCanChangeIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("hoist-build-y/src")).getParent();
    Files.writeString(dir.resolve("src/app.py"), "new\n");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

    Throwable t = catchThrowable(() -> BuildOutput.takeInto(dir.resolve("src"), commit));

    assertThat(t).hasMessageContaining("must be the server's");
    assertThat(commit.resolve("app.py")).hasContent("old");
  }
}
