package dev.hoist.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.Engine.StepEvent;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import dev.hoist.node.Agent;
import dev.hoist.node.LocalNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's secrets step and probes, run for real on this machine in a temporary directory: the
 * file format and modes of docs/security.md, set and unset, an all-or-nothing refusal, and no value
 * in any event or probe answer. Needs root (it gives the files to root and a group).
 */
class SecretsAgentTest {
  // A group every Debian has, standing in for the app's.
  private static final String GROUP = "nogroup";

  @TempDir Path tmp;
  private Path file;
  private Path index;
  private final Engine engine = new Engine(new Agent(new LocalNode()));
  private final List<StepEvent> events = new ArrayList<>();

  @BeforeEach
  void root() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    Path app = tmp.resolve("srv-app");
    file = app.resolve("etc/secrets");
    index = app.resolve("etc/secrets.json");
  }

  private ApplyResult apply(Map<String, String> sets, List<String> unsets) throws Exception {
    AgentStep step =
        AgentStep.of(
            "secrets",
            new AgentOp.SecretsUpdate(
                GROUP,
                file.toString(),
                index.toString(),
                "me@admin",
                "2026-12-02T12:00:00Z",
                sets,
                unsets));
    return engine.apply(
        new ApplyRequest(List.of(step), null, List.of(), List.of(), null, null), events::add);
  }

  @Test
  void writesQuotedSortedLinesRootOwnedAndReadableByTheAppGroupOnly() throws Exception {
    ApplyResult r =
        apply(Map.of("ZED", "it's \"quoted\"\nand $multi", "ALPHA", "plain", "B", ""), List.of());
    assertThat(r.ok()).as(r.error()).isTrue();

    List<String> lines = Files.readAllLines(file);
    assertThat(lines.getFirst()).startsWith("# Managed by 'hoist secrets'");
    assertThat(lines.subList(1, lines.size()))
        .containsExactly("ALPHA=plain", "B=''", "ZED='it'\"'\"'s \"quoted\"", "and $multi'");
    PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class);
    assertThat(attrs.owner().getName()).isEqualTo("root");
    assertThat(attrs.group().getName()).isEqualTo(GROUP);
    assertThat(PosixFilePermissions.toString(attrs.permissions())).isEqualTo("rw-r-----");
    PosixFileAttributes json = Files.readAttributes(index, PosixFileAttributes.class);
    assertThat(json.group().getName()).isEqualTo("root");
    assertThat(PosixFilePermissions.toString(json.permissions())).isEqualTo("rw-------");
    assertThat(Files.readString(index)).contains("\"ALPHA\"", "me@admin").doesNotContain("plain");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwxr-xr-x");
    try (var left = Files.list(file.getParent())) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("secrets", "secrets.json");
    }
    assertThat(events).extracting(StepEvent::note).noneMatch(n -> n != null && n.contains("plain"));
    assertThat(events).anyMatch(e -> "set ALPHA, B, ZED".equals(e.note()));
  }

  @Test
  void unsetRemovesAKeyAndTheProbeGivesNamesAndTimesNeverValues() throws Exception {
    apply(Map.of("KEEP", "hunter2", "DROP", "swordfish"), List.of());
    ApplyResult r = apply(Map.of(), List.of("DROP", "NEVER_SET"));
    assertThat(r.ok()).as(r.error()).isTrue();
    assertThat(events).anyMatch(e -> "unset DROP; not set before: NEVER_SET".equals(e.note()));
    assertThat(Files.readString(file)).contains("KEEP=hunter2").doesNotContain("DROP");

    ProbeRequest probe =
        new ProbeRequest("secrets", new ProbeKind.Secrets(file.toString(), index.toString()));
    Engine.Probe answer = engine.probe(List.of(probe), Optional.empty());
    String raw = answer.states().get("secrets").toString();
    assertThat(raw).contains("KEEP", "2026-12-02T12:00:00Z", "me@admin");
    assertThat(raw).doesNotContain("hunter2").doesNotContain("DROP");
    assertThat(Secrets.names(answer.states().get("secrets")).names()).containsOnlyKeys("KEEP");
  }

  @Test
  void aBadNameRefusesTheWholeChangeAndTheFileStaysAsItWas() throws Exception {
    apply(Map.of("KEEP", "hunter2"), List.of());
    String before = Files.readString(file);
    ApplyResult r = apply(Map.of("GOOD", "x", "HOIST_APP", "swordfish"), List.of());
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).contains("HOIST_APP").doesNotContain("swordfish");
    assertThat(Files.readString(file)).isEqualTo(before);
  }

  @Test
  void aDirectoryTheAppCouldWriteIsRefused() throws Exception {
    Files.createDirectories(file.getParent());
    Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
    ApplyResult r = apply(Map.of("A", "b"), List.of());
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).contains("must be a directory owned by root and writable only by it");
    assertThat(file).doesNotExist();
  }
}
