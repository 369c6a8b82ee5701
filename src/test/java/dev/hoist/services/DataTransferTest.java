package dev.hoist.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Backup, restore and migrate against scripted data nodes: success, every failure, Ctrl-C. */
class DataTransferTest {
  static final String OK = "{\"event\": \"result\", \"ok\": true, \"bytes\": 1}";

  final DataTransfer transfer = new DataTransfer(new BundleVerifierTest.Recording());
  final List<String> seen = new CopyOnWriteArrayList<>();
  final DataTransfer.Listener listener =
      new DataTransfer.Listener() {
        @Override
        public void bytes(long total) {}

        @Override
        public void part(String name) {
          seen.add("part " + name);
        }

        @Override
        public void progress(String part, long bytes) {
          seen.add("progress " + part);
        }

        @Override
        public void warning(String message) {
          seen.add("warning " + message);
        }
      };

  static byte[] bundle(String app) throws Exception {
    return new TestBundles(app, "postgres", "redis", "files").bytes();
  }

  /** A runner's backup that sends {@code bytes} and ends with {@code exit}. */
  static FakeDataNode.Script sends(byte[] bytes, int exit, String result) {
    return run -> {
      run.event("{\"event\": \"progress\", \"part\": \"postgres/dump\", \"bytes\": 10}");
      run.out().write(bytes);
      run.event(result);
      return exit;
    };
  }

  @Test
  void aBackupArrivesVerifiedWithTheRunnersProgress() throws Exception {
    byte[] b = bundle("shop");
    FakeDataNode node = new FakeDataNode("db1", sends(b, 0, OK));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BundleSummary s = transfer.backup(node, "shop", out, listener);
    assertThat(out.toByteArray()).isEqualTo(b);
    assertThat(s.header().app()).isEqualTo("shop");
    assertThat(node.commands).containsExactly(List.of(DataRunner.PATH, "backup", "--app", "shop"));
    assertThat(seen)
        .contains("progress postgres/dump", "part postgres/dump", "part files/uploads.tar");
  }

  @Test
  void aBackupThatFailsOnTheNodeReportsTheRunnersErrorAndNoManifestArrives() throws Exception {
    byte[] b = bundle("shop");
    FakeDataNode node =
        new FakeDataNode(
            "db1",
            sends(
                Arrays.copyOf(b, 3000),
                1,
                "{\"event\": \"result\", \"ok\": false, \"error\": \"PostgreSQL is not answering"
                    + " on db1: start it\"}"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    failsAs(TransferException.Kind.FAILED, () -> transfer.backup(node, "shop", out, listener))
        .hasMessage("db1: PostgreSQL is not answering on db1: start it");
    assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1))
        .doesNotContain(BundleVerifier.MANIFEST);
  }

  /** A bundle of {@code parts} with one bit of {@code member}'s first chunk flipped. */
  static byte[] altered(String member, String... parts) throws Exception {
    List<TestBundles.Member> m = new ArrayList<>(new TestBundles("shop", parts).members());
    int i = BundleVerifierTest.indexOf(m, member);
    byte[] data = m.get(i).data().clone();
    data[1] ^= 4;
    m.set(i, new TestBundles.Member(m.get(i).name(), data));
    return TestBundles.tar(m);
  }

  /** The transfer fails with a {@link TransferException} of {@code kind}. */
  static AbstractThrowableAssert<?, ? extends Throwable> failsAs(
      TransferException.Kind kind, ThrowingCallable transfer) {
    return assertThatThrownBy(transfer)
        .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.kind()).isEqualTo(kind));
  }

  @Test
  void anAlteredBundleFromTheNodeIsRefusedNamingThePart() throws Exception {
    FakeDataNode node =
        new FakeDataNode("db1", sends(altered("redis/dump.rdb", "postgres", "redis"), 0, OK));
    failsAs(
            TransferException.Kind.BUNDLE,
            () -> transfer.backup(node, "shop", new ByteArrayOutputStream(), listener))
        .hasMessage(
            "db1 sent a bundle that is not right: part redis/dump.rdb: sha256 does not match the"
                + " manifest: the bundle was altered or damaged");
  }

  @Test
  void aFullLocalDiskIsNotBlamedOnTheNodeAndStopsTheRunner() throws Exception {
    byte[] b = bundle("shop");
    FakeDataNode node =
        new FakeDataNode(
            "db1",
            run -> {
              run.out().write(Arrays.copyOf(b, 1024));
              run.in().readAllBytes(); // until cancelled
              run.event("{\"event\": \"result\", \"ok\": false, \"error\": \"interrupted\"}");
              return 1;
            });
    OutputStream full =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("No space left on device");
          }
        };
    assertThatThrownBy(() -> transfer.backup(node, "shop", full, listener))
        .hasMessage("cannot write the bundle here: No space left on device");
    assertThat(node.cancelled).isTrue();
  }

  @Test
  void cancellingABackupEndsItAsInterrupted() throws Exception {
    byte[] b = bundle("shop");
    FakeDataNode node =
        new FakeDataNode(
            "db1",
            run -> {
              run.out().write(Arrays.copyOf(b, 1024));
              run.out().flush();
              while (!run.terminated().get()) {
                Thread.sleep(5);
              }
              run.event(
                  "{\"event\": \"result\", \"ok\": false, \"error\": \"interrupted by SIGTERM\"}");
              return 1;
            });
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                return;
              }
              transfer.cancel();
            });
    failsAs(
        TransferException.Kind.INTERRUPTED,
        () -> transfer.backup(node, "shop", new ByteArrayOutputStream(), listener));
    assertThat(node.cancelled).isTrue();
  }

  @Test
  void aMissingRunnerSaysHowToInstallIt() throws Exception {
    FakeDataNode node =
        new FakeDataNode(
            "db1",
            run -> {
              run.err().accept("sh: 1: /usr/local/lib/hoist/hoist-data: not found");
              return 127;
            });
    assertThatThrownBy(() -> transfer.backup(node, "shop", new ByteArrayOutputStream(), listener))
        .hasMessage(
            "db1: /usr/local/lib/hoist/hoist-data is not installed there; deploy the app with"
                + " 'services:' in hoist.yml first");
  }

  /** A restore that reads everything, checks it is {@code expected}, and reports a window. */
  static FakeDataNode.Script restores(byte[] expected) {
    return run -> {
      byte[] got = run.in().readAllBytes();
      if (!Arrays.equals(got, expected)) {
        run.event(
            "{\"event\": \"result\", \"ok\": false, \"error\": \"the bundle has no manifest: it is"
                + " truncated\"}");
        return 2;
      }
      run.event("{\"event\": \"progress\", \"part\": \"verified\", \"bytes\": 5}");
      run.event("{\"event\": \"result\", \"ok\": true, \"window_seconds\": 0.42}");
      return 0;
    };
  }

  @Test
  void aRestoreStreamsTheFileAndReturnsTheWindow() throws Exception {
    byte[] b = bundle("shop");
    FakeDataNode node = new FakeDataNode("db1", restores(b));
    List<String> argv = DataRunner.restore("shop", Optional.of("old-shop"), true);
    JsonNode result = transfer.restore(node, argv, new ByteArrayInputStream(b), listener);
    assertThat(result.get("window_seconds").asDouble()).isEqualTo(0.42);
    assertThat(node.commands)
        .containsExactly(
            List.of(DataRunner.PATH, "restore", "--app", "shop", "--as", "old-shop", "--yes", "-"));
    assertThat(seen).contains("progress verified");
  }

  @Test
  void anAlteredBundleNeverReachesTheRestoreWholeAndTheNodeIsCut() throws Exception {
    byte[] altered = altered("postgres/dump", "postgres", "redis");
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    FakeDataNode node =
        new FakeDataNode(
            "db1",
            run -> {
              run.in().transferTo(got);
              run.event(
                  "{\"event\": \"result\", \"ok\": false, \"error\": \"the bundle has no"
                      + " manifest: it is truncated\"}");
              return 2;
            });
    failsAs(
            TransferException.Kind.BUNDLE,
            () ->
                transfer.restore(
                    node,
                    DataRunner.restore("shop", Optional.empty(), true),
                    new ByteArrayInputStream(altered),
                    listener))
        .hasMessage(
            "part postgres/dump: sha256 does not match the manifest: the bundle was altered or"
                + " damaged; db1 dropped what it had staged");
    assertThat(node.cancelled).isTrue();
    assertThat(new String(got.toByteArray(), StandardCharsets.ISO_8859_1))
        .doesNotContain(BundleVerifier.MANIFEST);
  }

  @Test
  void aRestoreOfTheNodesNewestBundleSendsNothing() throws Exception {
    FakeDataNode node = new FakeDataNode("db1", restores(new byte[0]));
    JsonNode result =
        transfer.restoreLatest(
            node, DataRunner.restoreLatest("shop", Optional.empty(), true), listener);
    assertThat(result.get("window_seconds").asDouble()).isEqualTo(0.42);
    assertThat(node.commands.get(0)).endsWith("--yes", "--latest");
  }

  @Test
  void aRestoreTheRunnerRefusesEarlyReportsItsReason() throws Exception {
    TestBundles t = new TestBundles("shop", "redis");
    t.chunk = 64 * 1024;
    t.parts.put("redis/dump.rdb", new byte[4 << 20]); // more than the pipes hold
    byte[] big = t.bytes(); // the writer meets a closed pipe
    FakeDataNode node =
        new FakeDataNode(
            "db1",
            run -> {
              run.in().readNBytes(512);
              run.event(
                  "{\"event\": \"result\", \"ok\": false, \"error\": \"db1 holds data of shop"
                      + " (3 tables); add --yes to replace it (the old data is kept)\"}");
              return 2;
            });
    failsAs(
            TransferException.Kind.REFUSED,
            () ->
                transfer.restore(
                    node,
                    DataRunner.restore("shop", Optional.empty(), false),
                    new ByteArrayInputStream(big),
                    listener))
        .hasMessageContaining("add --yes to replace it");
  }

  @Test
  void aMigrationPipesOneBackupIntoOneRestore() throws Exception {
    byte[] b = bundle("shop");
    FakeDataNode from = new FakeDataNode("old", sends(b, 0, OK));
    FakeDataNode to = new FakeDataNode("new", restores(b));
    DataTransfer.Migration m =
        transfer.migrate(
            from, "shop", to, DataRunner.restore("shop", Optional.empty(), false), listener);
    assertThat(m.bundle().header().app()).isEqualTo("shop");
    assertThat(m.restore().get("window_seconds").asDouble()).isEqualTo(0.42);
  }

  @Test
  void anAlteredMigrationNeverReachesTheRestoreWhole() throws Exception {
    byte[] altered = altered("postgres/dump", "postgres");
    FakeDataNode from = new FakeDataNode("old", sends(altered, 0, OK));
    FakeDataNode to = new FakeDataNode("new", restores(altered));
    failsAs(
            TransferException.Kind.BUNDLE,
            () ->
                transfer.migrate(
                    from,
                    "shop",
                    to,
                    DataRunner.restore("shop", Optional.empty(), false),
                    listener))
        .hasMessage(
            "old sent a bundle that is not right: part postgres/dump: sha256 does not match the"
                + " manifest: the bundle was altered or damaged");
    assertThat(to.cancelled).isTrue();
  }

  @Test
  void aMigrationTheTargetRefusesStopsTheBackup() throws Exception {
    TestBundles big = new TestBundles("shop", "redis");
    big.chunk = 64 * 1024;
    big.parts.put("redis/dump.rdb", new byte[2 << 20]); // more than the pipes hold
    FakeDataNode from = new FakeDataNode("old", sends(big.bytes(), 0, OK));
    FakeDataNode to =
        new FakeDataNode(
            "new",
            run -> {
              run.in().readNBytes(512);
              run.event(
                  "{\"event\": \"result\", \"ok\": false, \"error\": \"new holds data of shop;"
                      + " add --yes\"}");
              return 2;
            });
    failsAs(
            TransferException.Kind.REFUSED,
            () ->
                transfer.migrate(
                    from,
                    "shop",
                    to,
                    DataRunner.restore("shop", Optional.empty(), false),
                    listener))
        .hasMessage("new: new holds data of shop; add --yes");
    assertThat(from.cancelled).isTrue();
  }

  /**
   * A restore --wait-go: reads the bundle, stages it ("verified"), then swaps only on go after the
   * bundle's end; the end of input without go drops the staging (exit 1).
   */
  static FakeDataNode.Script waitsForGo(byte[] expected, List<String> seen) {
    return run -> {
      byte[] got = run.in().readNBytes(expected.length);
      assertThat(got).isEqualTo(expected);
      seen.add("staged");
      run.event("{\"event\": \"progress\", \"part\": \"verified\", \"bytes\": 5}");
      String rest = new String(run.in().readAllBytes(), StandardCharsets.US_ASCII);
      if (!rest.equals("go\n")) {
        seen.add("no go");
        run.event(
            "{\"event\": \"result\", \"ok\": false, \"error\": \"the caller went away before"
                + " it said go; nothing was changed\"}");
        return 1;
      }
      seen.add("swapped");
      run.event("{\"event\": \"result\", \"ok\": true, \"window_seconds\": 0.1}");
      return 0;
    };
  }

  @Test
  void aGatedRestorePutsTheFlagsOnOnlyOnceTheNodeStagedEverything() throws Exception {
    byte[] b = bundle("shop");
    List<String> order = new CopyOnWriteArrayList<>();
    FakeDataNode node = new FakeDataNode("db1", waitsForGo(b, order));
    DataTransfer gated =
        new DataTransfer(new BundleVerifierTest.Recording(), () -> order.add("flags on"));
    List<String> argv = DataRunner.elsewhere(DataRunner.restore("shop", Optional.empty(), true));
    JsonNode result = gated.restore(node, argv, new ByteArrayInputStream(b), listener);
    assertThat(result.get("ok").asBoolean()).isTrue();
    assertThat(order).containsExactly("staged", "flags on", "swapped");
    assertThat(argv)
        .containsExactly(
            DataRunner.PATH, "restore", "--app", "shop", "--no-app", "--wait-go", "--yes", "-");
  }

  @Test
  void aFlagThatCannotGoOnIsNoGoAndTheNodeDropsItsStaging() throws Exception {
    byte[] b = bundle("shop");
    List<String> order = new CopyOnWriteArrayList<>();
    FakeDataNode node = new FakeDataNode("db1", waitsForGo(b, order));
    DataTransfer gated =
        new DataTransfer(
            new BundleVerifierTest.Recording(),
            () -> {
              throw new IOException("could not put the maintenance flag on: web2: unreachable");
            });
    failsAs(
            TransferException.Kind.NODE,
            () ->
                gated.restore(
                    node,
                    DataRunner.elsewhere(DataRunner.restore("shop", Optional.empty(), true)),
                    new ByteArrayInputStream(b),
                    listener))
        .hasMessage(
            "could not put the maintenance flag on: web2: unreachable; nothing was restored (db1"
                + " dropped what it had staged)");
    assertThat(order).containsExactly("staged", "no go");
  }

  @Test
  void aGatedRestoreTheNodeRefusesNeverRunsTheHook() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    FakeDataNode node =
        new FakeDataNode(
            "db1",
            run -> {
              run.event(
                  "{\"event\": \"result\", \"ok\": false, \"error\": \"db1 holds data of"
                      + " shop; add --yes\"}");
              return 2;
            });
    DataTransfer gated =
        new DataTransfer(new BundleVerifierTest.Recording(), () -> order.add("flags on"));
    failsAs(
            TransferException.Kind.REFUSED,
            () ->
                gated.restoreLatest(
                    node,
                    DataRunner.elsewhere(DataRunner.restoreLatest("shop", Optional.empty(), false)),
                    listener))
        .hasMessageContaining("add --yes");
    assertThat(order).isEmpty();
  }

  @Test
  void aGatedMigrationSaysGoAfterTheHook() throws Exception {
    byte[] b = bundle("shop");
    List<String> order = new CopyOnWriteArrayList<>();
    FakeDataNode from = new FakeDataNode("old", sends(b, 0, OK));
    FakeDataNode to = new FakeDataNode("new", waitsForGo(b, order));
    DataTransfer gated =
        new DataTransfer(new BundleVerifierTest.Recording(), () -> order.add("flags on"));
    DataTransfer.Migration m =
        gated.migrate(
            from,
            "shop",
            to,
            DataRunner.elsewhere(DataRunner.restore("shop", Optional.empty(), true)),
            listener);
    assertThat(m.restore().get("window_seconds").asDouble()).isEqualTo(0.1);
    assertThat(order).containsExactly("staged", "flags on", "swapped");
  }
}
