package dev.hoist.services;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a {@code .hoistbak} stream as untrusted input while copying it on (to a file, to a
 * restore, or nowhere): header first, only the parts the header lists, each part's chunks in order
 * and within bounds, each part's size, chunk count and sha256 against the manifest, the manifest
 * last and complete, nothing after it; the dump is fed to a {@link DumpLister} on the way. The
 * manifest is held back from the output until everything matched, so what is copied on is never a
 * complete bundle unless it verified. The format is in docs/backups.md.
 */
public final class BundleVerifier {
  public static final String HEADER = "hoist-backup/header.json";
  public static final String MANIFEST = "hoist-backup/manifest.json";
  public static final int FORMAT = 1;
  static final long CHUNK_MAX = 8L << 20;
  static final long JSON_MAX = 1L << 20;

  /** Told when a part starts, for progress displays. */
  public interface Listener {
    void part(String name);
  }

  /** One kind of part: its key, the service it belongs to, its member names. */
  private record Kind(String key, String service, Pattern members) {}

  /** The parts in bundle order. */
  private static final List<Kind> KINDS =
      List.of(
          new Kind("postgres/roles.sql", "postgres", Pattern.compile("postgres/roles\\.sql()")),
          new Kind("postgres/dump", "postgres", Pattern.compile("postgres/dump\\.([0-9]{6})")),
          new Kind("redis/dump.rdb", "redis", Pattern.compile("redis/dump\\.rdb\\.([0-9]{6})")),
          new Kind(
              "files/uploads.tar", "files", Pattern.compile("files/uploads\\.tar\\.([0-9]{6})")));

  private static final Set<String> SERVICES = Set.of("postgres", "redis", "files");
  private static final Pattern APP = Pattern.compile("[a-z][a-z0-9-]{0,30}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final List<String> HEADER_KEYS =
      List.of(
          "format",
          "app",
          "app_id",
          "release",
          "created",
          "node",
          "postgres_version",
          "redis_version");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DumpLister dumps;
  private final Listener listener;

  public BundleVerifier(DumpLister dumps, Listener listener) {
    this.dumps = dumps;
    this.listener = listener;
  }

  /** A part being read: running size, chunk count and digest. */
  private static final class Seen {
    final MessageDigest sha256;
    long size;
    int chunks;
    String hex;

    /** The digest, once every chunk is in. */
    String hex() {
      if (hex == null) {
        hex = HexFormat.of().formatHex(sha256.digest());
      }
      return hex;
    }

    Seen() {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Reads {@code in} to its end, checking it, and copies it to {@code out} (the manifest and what
   * follows only once everything matched).
   *
   * @throws BundleException naming the part that failed, when the bundle is not right; what reached
   *     {@code out} is then never a complete bundle
   * @throws IOException when reading or writing failed
   */
  public BundleSummary copy(InputStream in, OutputStream out)
      throws IOException, BundleException, InterruptedException {
    return read(in, out, true);
  }

  /**
   * Checks the bundle's structure only, skipping the parts' content (a file: seeks, not reads): the
   * header, every member's name, order and size bound, the manifest against the header and against
   * each part's size and chunk count, nothing after it. Not the checksums or the dump: {@link
   * #copy} checks those while the bundle streams. The summary's sha256s are the manifest's.
   *
   * @throws BundleException naming the part, when the structure is not right
   */
  public BundleSummary skim(InputStream in)
      throws IOException, BundleException, InterruptedException {
    return read(in, OutputStream.nullOutputStream(), false);
  }

  /** {@code whole}: read and check every byte; else skip the parts' content. */
  private BundleSummary read(InputStream in, OutputStream out, boolean whole)
      throws IOException, BundleException, InterruptedException {
    Forwarding forwarding = new Forwarding(in, out, !whole);
    BundleReader reader = new BundleReader(forwarding);
    BundleReader.Member first =
        reader
            .next()
            .orElseThrow(() -> new BundleException("the bundle is empty: not a hoist bundle"));
    if (!first.name().equals(HEADER)) {
      throw new BundleException(
          "the bundle does not start with " + HEADER + ": not a hoist bundle");
    }
    JsonNode rawHeader = json(reader, first, HEADER);
    BundleHeader header = header(rawHeader);
    forwarding.release();
    List<Kind> wanted = KINDS.stream().filter(k -> header.parts().contains(k.service())).toList();
    Map<String, Seen> seen = new LinkedHashMap<>();
    String current = null;
    String dump = "no PostgreSQL dump in this bundle";
    DumpLister.Listing listing = null;
    try {
      while (true) {
        forwarding.hold();
        Optional<BundleReader.Member> next = reader.next();
        if (next.isEmpty()) {
          throw new BundleException(
              current,
              "the bundle ends "
                  + (current == null ? "after its header" : "inside this part")
                  + ", without a manifest: it is truncated");
        }
        BundleReader.Member member = next.get();
        if (member.name().equals(MANIFEST)) {
          JsonNode manifest = json(reader, member, MANIFEST);
          check(manifest, rawHeader, wanted, seen, whole);
          // After the checksums, so an altered dump is reported as such, not as unreadable.
          if (listing != null) {
            dump = listing.finish();
          }
          reader.expectEnd();
          forwarding.release();
          out.flush();
          List<BundleSummary.Part> parts = new ArrayList<>();
          seen.forEach(
              (key, s) ->
                  parts.add(
                      new BundleSummary.Part(
                          key,
                          s.size,
                          whole
                              ? s.hex()
                              : manifest.path("parts").path(key).path("sha256").asText(),
                          s.chunks)));
          return new BundleSummary(header, parts, reader.offset(), dump);
        }
        Kind kind = kind(member.name(), wanted);
        int index = index(member.name(), kind);
        if (!kind.key().equals(current)) {
          if (seen.containsKey(kind.key())
              || (current != null && order(wanted, kind.key()) < order(wanted, current))) {
            throw new BundleException(
                kind.key(), "member " + quoted(member) + " is out of order: refused");
          }
          current = kind.key();
          seen.put(current, new Seen());
          listener.part(current);
          if (whole && current.equals("postgres/dump")) {
            listing = dumps.open();
          }
        }
        Seen s = seen.get(current);
        if (index != s.chunks) {
          throw new BundleException(
              current,
              String.format(
                  "member %s is out of sequence (chunk %06d expected): refused",
                  quoted(member), s.chunks));
        }
        if (member.size() > CHUNK_MAX) {
          throw new BundleException(
              current,
              "member "
                  + quoted(member)
                  + " claims "
                  + member.size()
                  + " bytes, more than a chunk may be ("
                  + CHUNK_MAX
                  + "): refused");
        }
        forwarding.release();
        if (!whole) {
          reader.skip(member, "part " + current);
          s.size += member.size();
          s.chunks++;
          continue;
        }
        byte[] data = reader.content(member, "part " + current);
        s.sha256.update(data);
        s.size += data.length;
        s.chunks++;
        if (listing != null && current.equals("postgres/dump")) {
          listing.write(data);
        }
      }
    } finally {
      if (listing != null) {
        listing.close();
      }
    }
  }

  private static Kind kind(String name, List<Kind> wanted) throws BundleException {
    for (Kind k : KINDS) {
      if (k.members().matcher(name).matches()) {
        if (!wanted.contains(k)) {
          throw new BundleException(
              k.key(), "member " + quotedName(name) + " belongs to no part the header lists");
        }
        return k;
      }
    }
    throw new BundleException("unexpected member " + quotedName(name) + " in the bundle: refused");
  }

  /** The chunk number in a member's name (0 for the single roles.sql). */
  private static int index(String name, Kind kind) {
    Matcher m = kind.members().matcher(name);
    m.matches();
    return m.group(1).isEmpty() ? 0 : Integer.parseInt(m.group(1));
  }

  private static int order(List<Kind> wanted, String key) {
    for (int i = 0; i < wanted.size(); i++) {
      if (wanted.get(i).key().equals(key)) {
        return i;
      }
    }
    return -1;
  }

  private static JsonNode json(BundleReader reader, BundleReader.Member member, String name)
      throws IOException, BundleException {
    if (member.size() > JSON_MAX) {
      throw new BundleException(
          name + " claims " + member.size() + " bytes, more than " + JSON_MAX + ": refused");
    }
    byte[] data = reader.content(member, name);
    try {
      JsonNode node = JSON.readTree(data);
      if (node == null || !node.isObject()) {
        throw new BundleException(name + " is not a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new BundleException(name + " is not valid JSON: " + e.getOriginalMessage());
    }
  }

  static BundleHeader header(JsonNode h) throws BundleException {
    List<String> missing = HEADER_KEYS.stream().filter(k -> !h.has(k)).toList();
    if (!h.has("parts")) {
      missing = new ArrayList<>(missing);
      missing.add("parts");
    }
    if (!missing.isEmpty()) {
      throw new BundleException(HEADER + " lacks " + String.join(", ", missing));
    }
    if (!h.get("format").isInt() || h.get("format").intValue() != FORMAT) {
      throw new BundleException(
          "bundle format "
              + h.get("format")
              + "; this hoist reads format "
              + FORMAT
              + " (a newer hoist wrote it?)");
    }
    String app = h.get("app").asText("");
    if (!h.get("app").isTextual()
        || !APP.matcher(app).matches()
        || !h.get("app_id").asText("").equals(app.replace('-', '_'))) {
      throw new BundleException(HEADER + " names no valid app");
    }
    List<String> parts = new ArrayList<>();
    JsonNode list = h.get("parts");
    if (list.isArray()) {
      list.forEach(p -> parts.add(p.isTextual() ? p.asText() : "?"));
    }
    if (!list.isArray()
        || parts.isEmpty()
        || !SERVICES.containsAll(parts)
        || Set.copyOf(parts).size() != parts.size()) {
      throw new BundleException(HEADER + " lists unknown parts: " + list);
    }
    return new BundleHeader(
        FORMAT,
        app,
        h.get("app_id").asText(),
        text(h, "release"),
        h.get("created").asText(""),
        h.get("node").asText(""),
        text(h, "postgres_version"),
        text(h, "redis_version"),
        parts);
  }

  private static Optional<String> text(JsonNode h, String key) {
    return h.get(key).isTextual() ? Optional.of(h.get(key).asText()) : Optional.empty();
  }

  /** The manifest against the header and what was read. */
  private static void check(
      JsonNode m, JsonNode h, List<Kind> wanted, Map<String, Seen> seen, boolean hashes)
      throws BundleException {
    if (!m.path("complete").isBoolean() || !m.get("complete").booleanValue()) {
      throw new BundleException("the manifest does not say the bundle is complete");
    }
    for (String k : HEADER_KEYS) {
      if (!h.get(k).equals(m.path(k))) {
        throw new BundleException(
            "the manifest's "
                + k
                + " ("
                + m.path(k)
                + ") differs from the header's ("
                + h.get(k)
                + "): altered");
      }
    }
    JsonNode listed = m.path("parts");
    if (!listed.isObject()) {
      throw new BundleException("the manifest lists no parts");
    }
    for (Kind k : wanted) {
      String key = k.key();
      JsonNode want = listed.get(key);
      if (want == null) {
        throw new BundleException(key, "not in the manifest: altered");
      }
      Seen got = seen.get(key);
      if (got == null) {
        throw new BundleException(key, "missing from the bundle");
      }
      if (!want.path("size").canConvertToExactIntegral()
          || want.path("size").longValue() != got.size
          || want.path("chunks").longValue() != got.chunks) {
        throw new BundleException(
            key,
            got.size
                + " bytes in "
                + got.chunks
                + " chunks, the manifest says "
                + want.path("size")
                + " bytes in "
                + want.path("chunks")
                + " chunks: altered or truncated");
      }
      String sha = want.path("sha256").asText("");
      if (!SHA256.matcher(sha).matches() || (hashes && !sha.equals(got.hex()))) {
        throw new BundleException(
            key, "sha256 does not match the manifest: the bundle was altered or damaged");
      }
    }
    List<String> extra = new ArrayList<>();
    listed.fieldNames().forEachRemaining(extra::add);
    extra.removeAll(wanted.stream().map(Kind::key).toList());
    if (!extra.isEmpty()) {
      throw new BundleException(
          "the manifest lists parts the header does not: " + String.join(", ", extra));
    }
  }

  private static String quoted(BundleReader.Member member) {
    return quotedName(member.name());
  }

  private static String quotedName(String name) {
    return BundleReader.printable(name);
  }

  /**
   * Copies what the reader reads to {@code out}; while held, into a buffer instead, written when
   * released (a member's header waits until its name is known not to be the manifest's).
   */
  private static final class Forwarding extends FilterInputStream {
    private final OutputStream out;
    private final boolean skips;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private boolean holding = true;

    /** {@code skips}: nothing is copied on (a skim), so content may be skipped. */
    Forwarding(InputStream in, OutputStream out, boolean skips) {
      super(in);
      this.out = out;
      this.skips = skips;
    }

    void hold() {
      holding = true;
    }

    void release() throws IOException {
      held.writeTo(out);
      held.reset();
      holding = false;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        if (holding) {
          held.write(b, off, n);
        } else {
          out.write(b, off, n);
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      if (!skips) {
        throw new IOException("skip is not supported");
      }
      return super.skip(n);
    }
  }
}
