package dev.hoist.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which project files ship in a release, the content hash, and the archive the agent unpacks. */
class ReleaseSourceTest {
  @TempDir Path project;

  private void write(String rel, String content) throws IOException {
    Path file = project.resolve(rel);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  private List<String> shipped(List<String> shared) throws IOException {
    return ReleaseSource.scan(project, shared).files().stream()
        .map(p -> p.toString().replace('\\', '/'))
        .toList();
  }

  private void app() throws IOException {
    write("hoist.yml", "app: hello\nwsgi: hello:application\n");
    write("hello.py", "def application(env, start): ...\n");
    write("hello/views.py", "VIEWS = 1\n");
  }

  @Test
  void shipsTheProjectFilesInAStableOrder() throws IOException {
    app();

    assertThat(shipped(List.of())).containsExactly("hello.py", "hello/views.py", "hoist.yml");
  }

  @Test
  void leavesOutVcsDataCachesAndVirtualenvs() throws IOException {
    app();
    write(".git/HEAD", "ref: refs/heads/main\n");
    write("__pycache__/hello.cpython-312.pyc", "x");
    write("hello/__pycache__/views.cpython-312.pyc", "x");
    write("hello/stale.pyc", "x");
    write(".venv/bin/python", "x");
    write(".hoist/templates/nginx-site.conf.j2", "x");
    write("node_modules/left-pad/index.js", "x");

    assertThat(shipped(List.of())).containsExactly("hello.py", "hello/views.py", "hoist.yml");
  }

  @Test
  void leavesOutSharedDirsWhoseDataLivesOnTheNode() throws IOException {
    app();
    write("media/upload.png", "x");
    write("var/instance/db.sqlite3", "x");
    write("mediakit.py", "KEEP = 1\n");

    assertThat(shipped(List.of("media", "var/instance")))
        .containsExactly("hello.py", "hello/views.py", "hoist.yml", "mediakit.py");
  }

  @Test
  void leavesOutWhatHoistignoreLists() throws IOException {
    app();
    write(".hoistignore", "# local stuff\n*.log\nsecrets/\n\ndocs/*.md\n");
    write("debug.log", "x");
    write("hello/app.log", "x");
    write("secrets/key.pem", "x");
    write("docs/guide.md", "x");
    write("docs/logo.svg", "<svg/>");

    assertThat(shipped(List.of()))
        .containsExactly(
            ".hoistignore", "docs/logo.svg", "hello.py", "hello/views.py", "hoist.yml");
  }

  @Test
  void hashChangesWhenAFilesContentChanges() throws IOException {
    app();
    String before = ReleaseSource.scan(project, List.of()).hash("");

    write("hello/views.py", "VIEWS = 2\n");

    assertThat(ReleaseSource.scan(project, List.of()).hash("")).isNotEqualTo(before);
  }

  @Test
  void hashStaysWhenOnlyTheModificationTimeChanges() throws IOException {
    app();
    String before = ReleaseSource.scan(project, List.of()).hash("");

    Files.setLastModifiedTime(
        project.resolve("hello.py"), FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));

    assertThat(ReleaseSource.scan(project, List.of()).hash("")).isEqualTo(before);
  }

  @Test
  void hashChangesWithTheExtraSettingsAndWhenAFileIsAddedOrBecomesExecutable() throws IOException {
    app();
    ReleaseSource source = ReleaseSource.scan(project, List.of());
    String before = source.hash("");

    assertThat(source.hash("workers=3")).isNotEqualTo(before);
    Files.setPosixFilePermissions(
        project.resolve("hello.py"), PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(ReleaseSource.scan(project, List.of()).hash("")).isNotEqualTo(before);
    write("new.py", "");
    assertThat(ReleaseSource.scan(project, List.of()).hash(""))
        .isNotEqualTo(before)
        .isNotEqualTo(source.hash(""));
  }

  @Test
  void ignoredFilesDoNotChangeTheHash() throws IOException {
    app();
    String before = ReleaseSource.scan(project, List.of()).hash("");

    write("hello/__pycache__/views.cpython-312.pyc", "compiled");
    write(".git/index", "changed");

    assertThat(ReleaseSource.scan(project, List.of()).hash("")).isEqualTo(before);
  }

  @Test
  void archiveIsAGzippedTarOfExactlyTheShippedFiles() throws IOException {
    app();
    write("__pycache__/x.pyc", "x");
    Path script = project.resolve("bin/manage.sh");
    write("bin/manage.sh", "#!/bin/sh\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

    Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
    Map<String, String> contents = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new GzipCompressorInputStream(
                new ByteArrayInputStream(ReleaseSource.scan(project, List.of()).archive())))) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        entries.put(e.getName(), e);
        contents.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
      }
    }

    assertThat(entries)
        .containsOnlyKeys("bin/manage.sh", "hello.py", "hello/views.py", "hoist.yml");
    assertThat(contents.get("hello/views.py")).isEqualTo("VIEWS = 1\n");
    assertThat(entries.get("bin/manage.sh").getMode() & 07777).isEqualTo(0755);
    assertThat(entries.get("hello.py").getMode() & 07777).isEqualTo(0644);
    assertThat(entries.values()).allMatch(TarArchiveEntry::isFile);
  }
}
