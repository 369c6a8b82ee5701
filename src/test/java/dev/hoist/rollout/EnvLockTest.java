package dev.hoist.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.engine.Engine;
import dev.hoist.node.Agent;
import dev.hoist.node.LocalNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The environment lock and the canary record, through the real agent on this machine, in a temp
 * dir.
 */
class EnvLockTest {
  @TempDir Path dir;

  EnvLock lock() {
    return new EnvLock(new Engine(new Agent(new LocalNode())), "hello", "live", dir.toString());
  }

  @Test
  void aSecondTakerIsRefusedWithWhoHoldsItAndSinceWhen() throws Exception {
    EnvLock first = lock();
    first.take("hoist deploy --env live");

    assertThatThrownBy(() -> lock().take("hoist deploy --env live --canary 1"))
        .isInstanceOf(RolloutException.class)
        .hasMessageContaining("another deploy of live is running: its lock on local is held by")
        .hasMessageContaining("(hoist deploy --env live)")
        .hasMessageContaining("'hoist unlock --env live' breaks the lock")
        .extracting(e -> ((RolloutException) e).kind())
        .isEqualTo(RolloutException.Kind.LOCKED);
    assertThat(first.holder())
        .hasValueSatisfying(h -> assertThat(h.command()).isEqualTo("hoist deploy --env live"));
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("locks/hello.live.json"))))
        .isEqualTo("rw-------");
  }

  @Test
  void releasedItCanBeTakenAgain() throws Exception {
    EnvLock first = lock();
    first.take("a");
    first.release();

    lock().take("b");

    assertThat(lock().holder()).hasValueSatisfying(h -> assertThat(h.command()).isEqualTo("b"));
  }

  @Test
  void releaseLeavesAnotherRunsLockAlone() throws Exception {
    EnvLock mine = lock();
    mine.take("mine");
    EnvLock other = lock();
    mine.breakLock();
    other.take("other");

    mine.release();

    assertThat(lock().holder()).hasValueSatisfying(h -> assertThat(h.command()).isEqualTo("other"));
  }

  @Test
  void breakingReturnsTheHolder() throws Exception {
    lock().take("killed deploy");

    assertThat(lock().breakLock())
        .hasValueSatisfying(h -> assertThat(h.command()).isEqualTo("killed deploy"));
    assertThat(lock().holder()).isEmpty();
  }

  @Test
  void aCanaryIsRecordedReadAndForgotten() throws Exception {
    EnvLock lock = lock();
    assertThat(lock.canary()).isEmpty();

    lock.pause("20261124T101500Z-abc1234", "h1", List.of("web1"));

    assertThat(lock().canary())
        .hasValueSatisfying(
            c -> {
              assertThat(c.release()).isEqualTo("20261124T101500Z-abc1234");
              assertThat(c.hash()).isEqualTo("h1");
              assertThat(c.nodes()).containsExactly("web1");
            });
    lock.clearCanary();
    assertThat(lock().canary()).isEmpty();
  }
}
