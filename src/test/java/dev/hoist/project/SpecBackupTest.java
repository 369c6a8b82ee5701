package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code backup} section: defaults, every field, and each error at file:line:column. */
class SpecBackupTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void readsEveryField() throws Exception {
    Spec spec =
        project.loadWith(
            """
            services: [postgres]
            backup:
              schedule: "30 2 * * *"
              keep: 7
              to: {node: vault, path: /srv/copies/hello/}
              drill: true
              drill_check: python manage.py check --database default
            """);

    BackupSpec b = spec.backup().orElseThrow();
    assertThat(b.schedule().text()).isEqualTo("30 2 * * *");
    assertThat(b.schedule().period()).isEqualTo(Duration.ofDays(1));
    assertThat(b.keep()).isEqualTo(7);
    BackupSpec.Target to = b.to().orElseThrow();
    assertThat(to.node()).isEqualTo("vault");
    assertThat(to.directory("hello", TargetLayout.account("db1", "ssh-ed25519 A")))
        .isEqualTo("/srv/copies/hello");
    assertThat(to.line()).isEqualTo(7);
    assertThat(to.column()).isEqualTo(14);
    assertThat(b.drill()).isTrue();
    assertThat(b.drillCheck())
        .contains(new BackupSpec.DrillCheck.Command("python manage.py check --database default"));
  }

  @Test
  void defaultsAreDailyFourteenNoCopyNoDrill() throws Exception {
    BackupSpec b = project.loadWith("services: [postgres]\nbackup: {}\n").backup().orElseThrow();

    assertThat(b.schedule().text()).isEqualTo("daily");
    assertThat(b.keep()).isEqualTo(14);
    assertThat(b.to()).isEmpty();
    assertThat(b.drill()).isFalse();
    assertThat(b.drillCheck()).isEmpty();
    assertThat(project.loadWith("services: [redis]\n").backup()).isEmpty();
  }

  @Test
  void wordsAndSqlCheckAndDefaultPath() throws Exception {
    BackupSpec b =
        project
            .loadWith(
                "services: [postgres]\nbackup:\n  schedule: hourly\n  to: {node: vault}\n"
                    + "  drill_check: {sql: SELECT count(*) FROM notes_note}\n")
            .backup()
            .orElseThrow();

    assertThat(b.schedule().period()).isEqualTo(Duration.ofHours(1));
    TargetLayout.Account db1 = TargetLayout.account("db1", "ssh-ed25519 A");
    assertThat(b.to().orElseThrow().directory("hello", db1)).isEqualTo(db1.home() + "/hello");
    assertThat(b.drillCheck())
        .contains(new BackupSpec.DrillCheck.Sql("SELECT count(*) FROM notes_note"));
  }

  @Test
  void aBadScheduleIsPointedAtTheField() {
    SpecProblem p =
        project.problemWith("services: [postgres]\nbackup:\n  schedule: \"0 3 * * MONDAY\"\n");

    assertThat(TestProject.where(p))
        .isEqualTo(
            "5:22: backup.schedule: expected day of week 0-7 (0 and 7 are Sunday) or SUN-SAT,"
                + " found 'MONDAY'");
  }

  @Test
  void anUnknownScheduleWordIsNamed() {
    SpecProblem p = project.problemWith("services: [postgres]\nbackup: {schedule: nightly}\n");

    assertThat(TestProject.where(p))
        .isEqualTo("4:20: backup.schedule: unknown schedule word 'nightly'");
  }

  @Test
  void keepBelowOneAndOtherBadValues() {
    List<SpecProblem> problems =
        project.problems(
            TestProject.MINIMAL
                + "services: [postgres]\n"
                + "backup:\n"
                + "  keep: 0\n"
                + "  to: {node: vault, path: relative/dir, host: x}\n"
                + "  drill: sometimes\n"
                + "  drill_check: {query: x}\n");

    assertThat(problems.stream().map(TestProject::where))
        .containsExactly(
            "5:9: backup.keep: expected a number from 1 to 10000, found '0'",
            "6:27: backup.to.path: expected an absolute directory of letters, digits and _ . / @ +"
                + " -, found 'relative/dir'",
            "6:41: backup.to.host: unknown key",
            "7:10: backup.drill: expected true or false, found 'sometimes'",
            "8:16: backup.drill_check.sql: required key is missing",
            "8:17: backup.drill_check.query: unknown key");
  }

  @Test
  void aSystemDirectoryIsRefused() {
    SpecProblem p =
        project.problemWith("services: [postgres]\nbackup: {to: {node: vault, path: /etc/x}}\n");

    assertThat(p.message()).contains("'/etc/x' is a system directory");
  }

  @Test
  void everyPathUnderTheTargetsBackupHomesIsRefusedAtItsPlace() {
    for (String dir :
        new String[] {
          "/var/lib/hoist-backup",
          "/var/lib/hoist-backup/.ssh/x",
          "/var/lib/hoist-backup/nodes",
          "/var/lib/hoist-backup/nodes/db1",
          "/var/lib/hoist-backup/nodes/db1/shop",
          "/var/lib/hoist-backup/nodes/other-0123456789/shop/"
        }) {
      SpecProblem p =
          project.problemWith(
              "services: [postgres]\nbackup: {to: {node: vault, path: " + dir + "}}\n");

      assertThat(TestProject.where(p))
          .as(dir)
          .startsWith("4:34: backup.to.path: '" + dir + "' is under /var/lib/hoist-backup, where");
      assertThat(p.hint()).hasValueSatisfying(h -> assertThat(h).startsWith("leave path: out"));
    }
  }

  @Test
  void aDirectoryBesideTheBackupHomesIsAllowed() throws Exception {
    BackupSpec b =
        project
            .loadWith(
                "services: [postgres]\nbackup: {to: {node: vault, path:"
                    + " /var/lib/hoist-backup2/shop}}\n")
            .backup()
            .orElseThrow();

    assertThat(b.to().orElseThrow().directory("x", TargetLayout.account("db1", "ssh-ed25519 A")))
        .isEqualTo("/var/lib/hoist-backup2/shop");
  }

  @Test
  void backupWithoutServicesIsRefused() {
    SpecProblem p = project.problemWith("backup:\n  keep: 3\n");

    assertThat(TestProject.where(p))
        .isEqualTo("4:3: backup: there is nothing to back up: hoist.yml has no services");
    assertThat(p.hint()).hasValueSatisfying(h -> assertThat(h).contains("services: [postgres]"));
  }

  @Test
  void anUnknownTargetNodeIsPointedAtWithASuggestion() throws Exception {
    Spec spec =
        project.loadWith(
            "services: [postgres]\nbackup:\n  to:\n    node: vualt\n"
                + "nodes:\n  vault: {host: 10.0.0.9}\n");
    SpecException e =
        catchThrowableOfType(
            SpecException.class, () -> BackupReader.checkTarget(spec.backup(), spec.inventory()));

    SpecProblem p = e.problems().getFirst();
    assertThat(TestProject.where(p)).isEqualTo("6:11: backup.to.node: no node named 'vualt'");
    assertThat(p.hint()).contains("did you mean 'vault'?");
    assertThat(p.file()).isEqualTo(dir.resolve("hoist.yml").toString());
  }

  @Test
  void aKnownTargetNodePasses() throws Exception {
    Spec spec =
        project.loadWith(
            "services: [postgres]\nbackup: {to: {node: vault}}\n"
                + "nodes:\n  vault: {host: 10.0.0.9}\n");

    BackupReader.checkTarget(spec.backup(), spec.inventory());
    BackupReader.checkTarget(Optional.empty(), new Inventory(Map.of(), Map.of()));
  }
}
