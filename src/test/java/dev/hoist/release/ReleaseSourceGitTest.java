package dev.hoist.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What ships from a git checkout (real git repositories), .env files, gitignore-like .hoistignore
 * patterns, and symlinks.
 */
class ReleaseSourceGitTest {
  @TempDir Path tmp;

  private Path write(Path dir, String rel, String content) throws IOException {
    Path file = dir.resolve(rel);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
    return file;
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static List<String> shipped(Path project, List<String> include) throws IOException {
    return ReleaseSource.scan(project, List.of("media"), include).files().stream()
        .map(Path::toString)
        .toList();
  }

  /** A repository whose project lies in app/ (a monorepo), with one commit. */
  private Path repo() throws Exception {
    Path root = tmp.resolve("repo");
    Path app = root.resolve("app");
    write(app, "hoist.yml", "app: hello\n");
    write(app, "hello.py", "x\n");
    write(app, "pkg/views.py", "x\n");
    write(app, "gone.py", "x\n");
    write(root, "README.md", "outside the project\n");
    git(root, "init", "-q");
    git(root, "add", ".");
    git(root, "commit", "-qm", "one");
    return app;
  }

  @Test
  void aGitCheckoutShipsWhatGitTracksStagedIncludedDeletedLeftOut() throws Exception {
    Path app = repo();
    write(app, "staged.py", "x\n");
    git(app, "add", "staged.py");
    write(app, "untracked.py", "x\n");
    write(app, "hello.py", "changed, not staged\n");
    Files.delete(app.resolve("gone.py"));

    assertThat(shipped(app, List.of()))
        .containsExactly("hello.py", "hoist.yml", "pkg/views.py", "staged.py");
    // What ships is the work tree's content, as for any project.
    assertThat(ReleaseSource.scan(app, List.of()).hash(""))
        .isNotEqualTo(hashAfter(app, "hello.py", "changed again\n"));
  }

  private String hashAfter(Path app, String rel, String content) throws IOException {
    write(app, rel, content);
    return ReleaseSource.scan(app, List.of()).hash("");
  }

  @Test
  void includeAddsFilesGitDoesNotTrackButNeverSecretsOrSharedData() throws Exception {
    Path app = repo();
    write(app, "static/dist/app.js", "x\n");
    write(app, "static/dist/sub/app.css", "x\n");
    write(app, "locale/de/app.mo", "x\n");
    write(app, "notes.txt", "x\n");
    write(app, ".env", "SECRET=1\n");
    write(app, "media/upload.png", "x\n");

    assertThat(shipped(app, List.of("static/dist", "*.mo", ".env*", "media/**")))
        .containsExactly(
            "gone.py",
            "hello.py",
            "hoist.yml",
            "locale/de/app.mo",
            "pkg/views.py",
            "static/dist/app.js",
            "static/dist/sub/app.css");
  }

  @Test
  void aProjectGitDoesNotTrackYetIsRefusedWithWhatToDo() throws Exception {
    Path app = repo().resolveSibling("new");
    write(app, "hoist.yml", "app: new\n");

    assertThatThrownBy(() -> ReleaseSource.scan(app, List.of()))
        .isInstanceOf(UnshippableException.class)
        .hasMessageContaining("git tracks no file in " + app)
        .hasMessageContaining("'git add' the project's files");
  }

  @Test
  void envFilesAndGitDataNeverShipEvenWhenTracked() throws Exception {
    Path app = repo();
    write(app, ".env", "A=1\n");
    write(app, "conf/.env.production", "A=1\n");
    write(app, ".hoist/state", "x\n");
    git(app, "add", "-f", ".env", "conf/.env.production", ".hoist/state");

    assertThat(shipped(app, List.of()))
        .containsExactly("gone.py", "hello.py", "hoist.yml", "pkg/views.py");
  }

  @Test
  void theSameContentHashesTheSameInAndOutOfGit() throws Exception {
    Path app = repo();
    Path plain = tmp.resolve("plain");
    for (String rel : List.of("hoist.yml", "hello.py", "pkg/views.py", "gone.py")) {
      write(plain, rel, Files.readString(app.resolve(rel)));
    }

    assertThat(ReleaseSource.scan(app, List.of()).hash("f"))
        .isEqualTo(ReleaseSource.scan(plain, List.of()).hash("f"))
        .isEqualTo(ReleaseSource.scan(app, List.of()).hash("f"));
  }

  @Test
  void hoistignoreIsGitignoreLike() throws Exception {
    Path p = tmp.resolve("plain");
    write(
        p,
        ".hoistignore",
        "*.log\n/build\ndocs/**/*.md\n!docs/keep/README.md\ntmp/\n**/fixtures\n!important.log\n");
    for (String rel :
        List.of(
            "a.log",
            "important.log",
            "sub/b.log",
            "build/out.bin",
            "sub/build/kept.py",
            "docs/x.md",
            "docs/deep/y.md",
            "docs/keep/README.md",
            "docs/logo.svg",
            "tmp/t.py",
            "tests/fixtures/f.json",
            "app.py")) {
      write(p, rel, "x\n");
    }
    write(p, "tmpfile", "x\n");

    assertThat(shipped(p, List.of()))
        .containsExactly(
            ".hoistignore",
            "app.py",
            "docs/keep/README.md",
            "docs/logo.svg",
            "important.log",
            "sub/build/kept.py",
            "tmpfile");
  }

  @Test
  void symlinksInsideStaySymlinks() throws Exception {
    Path p = tmp.resolve("plain");
    write(p, "hello.py", "x\n");
    write(p, "static/app.css", "x\n");
    Files.createSymbolicLink(p.resolve("current.py"), Path.of("hello.py"));
    Files.createSymbolicLink(p.resolve("assets"), Path.of("static"));

    ReleaseSource source = ReleaseSource.scan(p, List.of());
    assertThat(source.files().stream().map(Path::toString))
        .containsExactly("assets", "current.py", "hello.py", "static/app.css");
    List<TarArchiveEntry> entries = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new GzipCompressorInputStream(new ByteArrayInputStream(source.archive())))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.add(e);
      }
    }
    assertThat(entries.get(0).isSymbolicLink()).isTrue();
    assertThat(entries.get(0).getLinkName()).isEqualTo("static");
    assertThat(entries.get(1).getLinkName()).isEqualTo("hello.py");

    String before = source.hash("");
    Files.delete(p.resolve("current.py"));
    Files.createSymbolicLink(p.resolve("current.py"), Path.of("static/app.css"));
    assertThat(ReleaseSource.scan(p, List.of()).hash("")).isNotEqualTo(before);
  }

  @Test
  void aSymlinkPointingOutsideIsRefusedNamingItAndItsTarget() throws Exception {
    Path p = tmp.resolve("plain");
    write(p, "hello.py", "x\n");
    Files.createDirectories(p.resolve("conf"));
    Files.createSymbolicLink(p.resolve("conf/passwd"), Path.of("/etc/passwd"));

    assertThatThrownBy(() -> ReleaseSource.scan(p, List.of()))
        .isInstanceOf(UnshippableException.class)
        .hasMessage(
            "the symlink conf/passwd points outside the project (to /etc/passwd); copy what it"
                + " needs into the project, or point it at a path inside");

    Files.delete(p.resolve("conf/passwd"));
    Files.createSymbolicLink(p.resolve("conf/up"), Path.of("../../secret"));
    assertThatThrownBy(() -> ReleaseSource.scan(p, List.of()))
        .isInstanceOf(UnshippableException.class)
        .hasMessageContaining("conf/up points outside the project (to ../../secret)");
  }

  @Test
  void aRelativeLinkThatEscapesThroughAnotherLinkIsRefused() throws Exception {
    Path p = tmp.resolve("plain");
    Path outside = write(tmp, "outside/data.txt", "x\n").getParent();
    write(p, "hello.py", "x\n");
    Files.createSymbolicLink(p.resolve("ext"), outside);
    // .hoistignore keeps ext itself out, but the link through it still leads outside.
    write(p, ".hoistignore", "ext\n");
    Files.createSymbolicLink(p.resolve("data.txt"), Path.of("ext/data.txt"));

    assertThatThrownBy(() -> ReleaseSource.scan(p, List.of()))
        .isInstanceOf(UnshippableException.class)
        .hasMessageContaining("data.txt points outside the project (to ext/data.txt)");
  }
}
