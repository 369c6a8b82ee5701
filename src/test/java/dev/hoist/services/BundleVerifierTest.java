package dev.hoist.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier against generated bundles: whole ones, and every way of breaking one. */
class BundleVerifierTest {
  /** Keeps what it was fed, to compare with the dump. */
  static final class Recording implements DumpLister {
    final ByteArrayOutputStream fed = new ByteArrayOutputStream();

    @Override
    public Listing open() {
      return new Listing() {
        @Override
        public void write(byte[] bytes) {
          fed.writeBytes(bytes);
        }

        @Override
        public String finish() {
          return "read " + fed.size() + " bytes";
        }

        @Override
        public void close() {}
      };
    }
  }

  final Recording dumps = new Recording();
  final List<String> started = new ArrayList<>();
  final ByteArrayOutputStream out = new ByteArrayOutputStream();

  BundleSummary verify(byte[] bundle) throws Exception {
    return new BundleVerifier(dumps, started::add).copy(new ByteArrayInputStream(bundle), out);
  }

  BundleException refused(byte[] bundle) {
    try {
      verify(bundle);
    } catch (BundleException e) {
      // Whatever was copied on is not a complete bundle: the manifest was held back.
      assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1))
          .doesNotContain(BundleVerifier.MANIFEST);
      return e;
    } catch (Exception e) {
      throw new AssertionError("expected a BundleException, got " + e, e);
    }
    throw new AssertionError("the bundle was accepted");
  }

  @Test
  void aWholeBundleVerifiesAndIsCopiedByteForByte() throws Exception {
    TestBundles b = new TestBundles("shop-web", "postgres", "redis", "files");
    byte[] bundle = b.bytes();
    BundleSummary s = verify(bundle);
    assertThat(out.toByteArray()).isEqualTo(bundle);
    assertThat(s.header().app()).isEqualTo("shop-web");
    assertThat(s.header().appId()).isEqualTo("shop_web");
    assertThat(s.header().release()).contains("20261203T055900Z-abc123");
    assertThat(s.bytes()).isEqualTo(bundle.length);
    assertThat(s.parts())
        .extracting(BundleSummary.Part::name)
        .containsExactly(
            "postgres/roles.sql", "postgres/dump", "redis/dump.rdb", "files/uploads.tar");
    BundleSummary.Part dump = s.parts().get(1);
    byte[] dumpBytes = b.parts.get("postgres/dump");
    assertThat(dump.size()).isEqualTo(dumpBytes.length);
    assertThat(dump.sha256()).isEqualTo(TestBundles.sha256(dumpBytes));
    assertThat(dump.chunks()).isEqualTo((dumpBytes.length + b.chunk - 1) / b.chunk);
    assertThat(dumps.fed.toByteArray()).isEqualTo(dumpBytes);
    assertThat(s.dump()).isEqualTo("read " + dumpBytes.length + " bytes");
    assertThat(started)
        .containsExactly(
            "postgres/roles.sql", "postgres/dump", "redis/dump.rdb", "files/uploads.tar");
  }

  /** A file-like stream that counts what was read and what was skipped. */
  static final class Seeking extends ByteArrayInputStream {
    long read;
    long skipped;

    Seeking(byte[] b) {
      super(b);
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      read += Math.max(n, 0);
      return n;
    }

    @Override
    public synchronized long skip(long n) {
      long k = super.skip(n);
      skipped += k;
      return k;
    }
  }

  BundleSummary skim(byte[] bundle) throws Exception {
    return new BundleVerifier(dumps, started::add).skim(new Seeking(bundle));
  }

  @Test
  void aSkimChecksTheStructureSkippingTheContent() throws Exception {
    TestBundles b = new TestBundles("shop-web", "postgres", "redis", "files");
    b.chunk = 1024;
    b.parts.put("postgres/dump", new byte[10_000]);
    byte[] bundle = b.bytes();
    Seeking in = new Seeking(bundle);
    BundleSummary s = new BundleVerifier(dumps, started::add).skim(in);
    assertThat(s.header().app()).isEqualTo("shop-web");
    assertThat(s.bytes()).isEqualTo(bundle.length);
    BundleSummary.Part dump = s.parts().get(1);
    assertThat(dump.size()).isEqualTo(10_000);
    assertThat(dump.chunks()).isEqualTo(10);
    assertThat(dump.sha256()).isEqualTo(TestBundles.sha256(new byte[10_000]));
    assertThat(in.skipped).isGreaterThanOrEqualTo(10_000);
    assertThat(in.read).isLessThan(bundle.length - 10_000);
    assertThat(dumps.fed.size()).as("the dump is not read").isZero();
  }

  @Test
  void aSkimRefusesWhatTheStructureShowsButNotAnAlteredByte() throws Exception {
    TestBundles b = new TestBundles("hello", "postgres", "redis");
    byte[] bundle = b.bytes();
    for (int cut = 0; cut < bundle.length - 1024; cut += 97) {
      int at = cut;
      assertThatThrownBy(() -> skim(Arrays.copyOf(bundle, at)))
          .as("cut at %d", cut)
          .isInstanceOf(BundleException.class)
          .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("truncated", "empty"));
    }
    List<TestBundles.Member> m = new ArrayList<>(b.members());
    m.remove(m.size() - 2); // the last redis chunk
    assertThatThrownBy(() -> skim(TestBundles.tar(m)))
        .hasMessageContaining("the manifest says")
        .hasMessageEndingWith("altered or truncated");
    List<TestBundles.Member> extra = new ArrayList<>(b.members());
    extra.add(1, new TestBundles.Member("../../etc/passwd", TestBundles.bytes("x")));
    assertThatThrownBy(() -> skim(TestBundles.tar(extra)))
        .hasMessageContaining("unexpected member");
    // The checksums are the streamed pass's: a skim does not read the bytes they cover.
    List<TestBundles.Member> altered = new ArrayList<>(b.members());
    int i = indexOf(altered, "postgres/dump");
    byte[] data = altered.get(i).data().clone();
    data[0] ^= 1;
    altered.set(i, new TestBundles.Member(altered.get(i).name(), data));
    assertThat(skim(TestBundles.tar(altered)).header().app()).isEqualTo("hello");
    assertThat(refused(TestBundles.tar(altered)).getMessage()).contains("sha256 does not match");
  }

  @Test
  void aBundleOfOneServiceAndEmptyPartsVerify() throws Exception {
    TestBundles b = new TestBundles("hello", "files");
    b.parts.put("files/uploads.tar", new byte[0]);
    BundleSummary s = verify(b.bytes());
    assertThat(s.parts()).singleElement().satisfies(p -> assertThat(p.chunks()).isEqualTo(1));
    assertThat(s.dump()).contains("no PostgreSQL dump");
  }

  @Test
  void truncatedAnywhereBeforeTheManifestsEndIsRefused() throws Exception {
    byte[] bundle = new TestBundles("hello", "postgres", "redis").bytes();
    int complete = bundle.length - 1024; // the manifest's padded end; the zero blocks may be lost
    for (int cut = 0; cut < complete; cut += 97) {
      out.reset();
      BundleException e = refused(Arrays.copyOf(bundle, cut));
      assertThat(e.getMessage()).as("cut at %d", cut).containsAnyOf("truncated", "empty");
    }
    for (int cut = complete; cut <= bundle.length; cut += 256) {
      out.reset();
      verify(Arrays.copyOf(bundle, cut));
    }
  }

  @Test
  void truncationInsideAPartNamesIt() throws Exception {
    TestBundles b = new TestBundles("hello", "postgres", "redis");
    List<TestBundles.Member> m = b.members();
    int redis = indexOf(m, "redis/dump.rdb");
    // Cut in the middle of the first redis chunk's data.
    byte[] upToRedis = TestBundles.tar(m.subList(0, redis));
    byte[] cut = Arrays.copyOf(b.bytes(), upToRedis.length - 1024 + 512 + 2);
    assertThat(refused(cut).getMessage())
        .isEqualTo("the bundle ends inside part redis/dump.rdb: truncated");
    out.reset();
    assertThat(refused(TestBundles.tar(m.subList(0, redis + 1))).getMessage())
        .isEqualTo(
            "part redis/dump.rdb: the bundle ends inside this part, without a manifest: it is"
                + " truncated");
  }

  @Test
  void analteredChunkNamesItsPart() throws Exception {
    for (String part : List.of("postgres/roles.sql", "postgres/dump", "redis/dump.rdb")) {
      TestBundles b = new TestBundles("hello", "postgres", "redis", "files");
      List<TestBundles.Member> m = new ArrayList<>(b.members());
      int i = indexOf(m, part);
      byte[] data = m.get(i).data().clone();
      data[0] ^= 1;
      m.set(i, new TestBundles.Member(m.get(i).name(), data));
      out.reset();
      BundleException e = refused(TestBundles.tar(m));
      assertThat(e.part()).contains(part);
      assertThat(e.getMessage())
          .isEqualTo(
              "part "
                  + part
                  + ": sha256 does not match the manifest: the bundle was altered or damaged");
    }
  }

  @Test
  void aChunkAddedOrDroppedDisagreesWithTheManifest() throws Exception {
    TestBundles b = new TestBundles("hello", "redis");
    List<TestBundles.Member> m = new ArrayList<>(b.members());
    m.remove(m.size() - 2); // the last redis chunk
    assertThat(refused(TestBundles.tar(m)).getMessage())
        .startsWith("part redis/dump.rdb: 16 bytes in 4 chunks, the manifest says 17 bytes in 5")
        .endsWith("altered or truncated");
  }

  @Test
  void extraMembersAreRefused() throws Exception {
    for (String name :
        List.of(
            "etc/passwd",
            "hoist-backup/other.json",
            "postgres/dump.000001.x",
            "postgres/dump.1",
            "postgres/roles.sql.000000",
            "redis/dump.rdb")) {
      List<TestBundles.Member> m = new ArrayList<>(new TestBundles("hello", "postgres").members());
      m.add(2, new TestBundles.Member(name, TestBundles.bytes("x")));
      out.reset();
      assertThat(refused(TestBundles.tar(m)).getMessage())
          .as(name)
          .contains("'" + name + "'")
          .containsAnyOf("unexpected member", "belongs to no part the header lists");
    }
  }

  @Test
  void traversalAndAbsoluteNamesAreRefusedAndPrintedSafely() throws Exception {
    for (String name :
        List.of(
            "../../etc/cron.d/x",
            "/etc/passwd",
            "postgres/../../root/.ssh/authorized_keys",
            "./postgres/dump.000000",
            "postgres/dump.000000/../../x",
            "postgres//dump.000000",
            "postgres/dump.000000\u001b[2J",
            "files/" + "a/".repeat(60) + "uploads.tar.000000")) {
      List<TestBundles.Member> m = new ArrayList<>(new TestBundles("hello", "postgres").members());
      m.add(1, new TestBundles.Member(name, TestBundles.bytes("x")));
      out.reset();
      BundleException e = refused(TestBundles.tar(m));
      assertThat(e.getMessage()).as(name).contains("unexpected member").doesNotContain("\u001b");
    }
  }

  @Test
  void wrongOrdersAreRefused() throws Exception {
    TestBundles b = new TestBundles("hello", "postgres", "redis");
    b.chunk = 8;
    List<TestBundles.Member> m = b.members();
    int dump0 = indexOf(m, "postgres/dump");
    int redis0 = indexOf(m, "redis/dump.rdb");

    List<TestBundles.Member> swapped = new ArrayList<>(m);
    swapped.set(dump0, m.get(dump0 + 1));
    swapped.set(dump0 + 1, m.get(dump0));
    assertThat(refused(TestBundles.tar(swapped)).getMessage())
        .isEqualTo(
            "part postgres/dump: member 'postgres/dump.000001' is out of sequence (chunk 000000"
                + " expected): refused");

    List<TestBundles.Member> redisFirst = new ArrayList<>(m.subList(0, 1));
    redisFirst.addAll(m.subList(redis0, m.size() - 1));
    redisFirst.addAll(m.subList(1, redis0));
    redisFirst.add(m.getLast());
    out.reset();
    assertThat(refused(TestBundles.tar(redisFirst)).getMessage()).contains("out of order");

    List<TestBundles.Member> manifestEarly = new ArrayList<>(m.subList(0, redis0));
    manifestEarly.add(m.getLast());
    out.reset();
    assertThat(refused(TestBundles.tar(manifestEarly)).getMessage())
        .isEqualTo("part redis/dump.rdb: missing from the bundle");

    List<TestBundles.Member> headerLater = new ArrayList<>(m);
    headerLater.add(1, headerLater.removeFirst());
    out.reset();
    assertThat(refused(TestBundles.tar(headerLater)).getMessage())
        .isEqualTo("the bundle does not start with hoist-backup/header.json: not a hoist bundle");

    List<TestBundles.Member> interleaved = new ArrayList<>(m);
    interleaved.add(redis0 + 1, interleaved.remove(dump0));
    out.reset();
    assertThat(refused(TestBundles.tar(interleaved)).getMessage())
        .containsAnyOf("out of order", "out of sequence");
  }

  @Test
  void hugeSizeClaimsAreRefusedBeforeAnythingIsRead() throws Exception {
    List<TestBundles.Member> m = new ArrayList<>(new TestBundles("hello", "postgres").members());
    int i = indexOf(m, "postgres/dump");
    TestBundles.Member chunk = m.get(i);
    m.set(i, new TestBundles.Member(chunk.name(), chunk.data(), '0', 60L << 30));
    BundleException e = refused(TestBundles.tar(m));
    assertThat(e.getMessage())
        .isEqualTo(
            "part postgres/dump: member 'postgres/dump.000000' claims 64424509440 bytes, more"
                + " than a chunk may be (8388608): refused");

    List<TestBundles.Member> h = new ArrayList<>(new TestBundles("hello", "postgres").members());
    h.set(0, new TestBundles.Member(BundleVerifier.HEADER, h.get(0).data(), '0', 2L << 20));
    out.reset();
    assertThat(refused(TestBundles.tar(h)).getMessage())
        .isEqualTo("hoist-backup/header.json claims 2097152 bytes, more than 1048576: refused");
  }

  @Test
  void aBase256SizeIsReadAndBounded() throws Exception {
    byte[] bundle = new TestBundles("hello", "redis").bytes();
    int at = 512 + 512; // the first redis chunk's header follows the header member (one block)
    assertThat(new String(bundle, at, 20, StandardCharsets.US_ASCII)).startsWith("redis/");
    bundle[at + 124] = (byte) 0x80;
    Arrays.fill(bundle, at + 125, at + 136, (byte) 0x7f);
    fixChecksum(bundle, at);
    assertThat(refused(bundle).getMessage()).contains("more than a chunk may be");
  }

  @Test
  void linksDirectoriesAndExtensionHeadersAreRefused() throws Exception {
    for (char type : new char[] {'1', '2', '3', '5', '6', 'x', 'g', 'L', 'K', 'S'}) {
      List<TestBundles.Member> m = new ArrayList<>(new TestBundles("hello", "redis").members());
      m.add(1, new TestBundles.Member("redis/dump.rdb.000000", new byte[0], type, 0));
      out.reset();
      assertThat(refused(TestBundles.tar(m)).getMessage())
          .as("type %s", type)
          .isEqualTo(
              "member 'redis/dump.rdb.000000' is not a regular file (tar type '"
                  + type
                  + "'): refused");
    }
  }

  @Test
  void aDamagedHeaderBlockIsRefused() throws Exception {
    byte[] bundle = new TestBundles("hello", "redis").bytes();
    bundle[512 + 512 + 3] ^= 1; // a name byte of the first chunk: its checksum no longer adds up
    assertThat(refused(bundle).getMessage())
        .isEqualTo("bad tar header checksum at byte 1024: not a hoist bundle, or damaged");
    assertThat(refused("not a tar at all".getBytes(StandardCharsets.UTF_8)).getMessage())
        .contains("truncated");
  }

  @Test
  void aPartTheHeaderDoesNotListIsRefused() throws Exception {
    TestBundles b = new TestBundles("hello", "postgres", "redis");
    b.header.put("parts", List.of("postgres"));
    assertThat(refused(b.bytes()).getMessage())
        .isEqualTo(
            "part redis/dump.rdb: member 'redis/dump.rdb.000000' belongs to no part the header"
                + " lists");
  }

  @Test
  void badHeadersAreRefused() throws Exception {
    TestBundles b = new TestBundles("hello", "postgres");
    b.header.put("format", 2);
    assertThat(refused(b.bytes()).getMessage())
        .startsWith("bundle format 2; this hoist reads format 1");
    b.header.put("format", 1);
    b.header.put("parts", List.of("postgres", "mysql"));
    assertThat(refused(b.bytes()).getMessage()).contains("lists unknown parts");
    b.header.put("parts", List.of("postgres"));
    b.header.put("app_id", "other");
    assertThat(refused(b.bytes()).getMessage()).contains("names no valid app");
    b.header.remove("app_id");
    b.header.remove("node");
    assertThat(refused(b.bytes()).getMessage())
        .isEqualTo("hoist-backup/header.json lacks app_id, node");
  }

  @Test
  void aManifestThatDisagreesIsRefused() throws Exception {
    TestBundles b = new TestBundles("hello", "postgres", "redis");
    List<TestBundles.Member> m = new ArrayList<>(b.members());
    String manifest = new String(m.getLast().data(), StandardCharsets.UTF_8);

    assertThat(
            refused(withManifest(m, manifest.replace("\"complete\":true", "\"complete\":false")))
                .getMessage())
        .isEqualTo("the manifest does not say the bundle is complete");
    out.reset();
    assertThat(
            refused(withManifest(m, manifest.replace("\"app\":\"hello\"", "\"app\":\"other\"")))
                .getMessage())
        .isEqualTo("the manifest's app (\"other\") differs from the header's (\"hello\"): altered");
    out.reset();
    String sha = TestBundles.sha256(b.parts.get("redis/dump.rdb"));
    assertThat(refused(withManifest(m, manifest.replace(sha, "0".repeat(64)))).getMessage())
        .isEqualTo(
            "part redis/dump.rdb: sha256 does not match the manifest: the bundle was altered or"
                + " damaged");
    out.reset();
    assertThat(
            refused(withManifest(m, manifest.replace("\"redis/dump.rdb\"", "\"redis/x\"")))
                .getMessage())
        .isEqualTo("part redis/dump.rdb: not in the manifest: altered");
    out.reset();
    assertThat(refused(withManifest(m, "[1, 2]")).getMessage())
        .isEqualTo("hoist-backup/manifest.json is not a JSON object");
  }

  @Test
  void dataAfterTheManifestIsRefused() throws Exception {
    byte[] bundle = new TestBundles("hello", "redis").bytes();
    byte[] more = Arrays.copyOf(bundle, bundle.length + 512);
    System.arraycopy(TestBundles.header("x", 0, '0'), 0, more, bundle.length, 512);
    assertThat(refused(more).getMessage()).isEqualTo("data after the manifest: refused");
  }

  @Test
  void anotherAppsBundleVerifiesAndSaysWhose() throws Exception {
    assertThat(verify(new TestBundles("other-app", "redis").bytes()).header().app())
        .isEqualTo("other-app");
  }

  @Test
  void realPgRestoreReadsAChunkedDumpAndRefusesGarbage() throws Exception {
    PgRestoreList pg = new PgRestoreList();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new java.io.File("/usr/bin/pg_restore").canExecute(), "pg_restore not installed");
    byte[] dump;
    try (InputStream in = getClass().getResourceAsStream("small.dump")) {
      dump = in.readAllBytes();
    }
    TestBundles b = new TestBundles("hello", "postgres");
    b.chunk = 4096;
    b.parts.put("postgres/dump", dump);
    BundleSummary s =
        new BundleVerifier(pg, p -> {}).copy(new ByteArrayInputStream(b.bytes()), out);
    assertThat(s.dump()).matches("pg_restore --list read [1-9][0-9]* entries");

    b.parts.put("postgres/dump", TestBundles.bytes("PGDMP but not really a dump"));
    BundleException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            BundleException.class,
            () ->
                new BundleVerifier(pg, p -> {})
                    .copy(new ByteArrayInputStream(b.bytes()), new ByteArrayOutputStream()));
    assertThat(e.part()).contains("postgres/dump");
    assertThat(e.getMessage())
        .startsWith("part postgres/dump: pg_restore --list cannot read the dump: ");
  }

  @Test
  void withoutPgRestoreTheSummarySaysTheDumpWasNotRead() throws Exception {
    BundleSummary s =
        new BundleVerifier(new PgRestoreList(java.util.Optional.empty()), p -> {})
            .copy(new ByteArrayInputStream(new TestBundles("hello", "postgres").bytes()), out);
    assertThat(s.dump()).startsWith("not read: pg_restore is not installed here");
  }

  static byte[] withManifest(List<TestBundles.Member> m, String manifest) {
    List<TestBundles.Member> copy = new ArrayList<>(m);
    copy.set(
        copy.size() - 1,
        new TestBundles.Member(BundleVerifier.MANIFEST, TestBundles.bytes(manifest)));
    return TestBundles.tar(copy);
  }

  static int indexOf(List<TestBundles.Member> m, String part) {
    for (int i = 0; i < m.size(); i++) {
      if (m.get(i).name().startsWith(part)) {
        return i;
      }
    }
    throw new AssertionError(part);
  }

  static void fixChecksum(byte[] bundle, int at) {
    for (int i = at + 148; i < at + 156; i++) {
      bundle[i] = ' ';
    }
    long sum = 0;
    for (int i = at; i < at + 512; i++) {
      sum += bundle[i] & 0xff;
    }
    byte[] field = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(field, 0, bundle, at + 148, 8);
  }
}
