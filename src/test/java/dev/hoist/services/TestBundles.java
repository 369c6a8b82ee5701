package dev.hoist.services;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bundles for tests, written byte for byte as hoist-data writes them (ustar members, chunks, the
 * manifest last, two zero blocks), with hooks to break them.
 */
final class TestBundles {
  /** One tar member; {@code type} and {@code claimedSize} override the header's fields. */
  record Member(String name, byte[] data, char type, long claimedSize) {
    Member(String name, byte[] data) {
      this(name, data, '0', data.length);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  final Map<String, Object> header = new LinkedHashMap<>();
  final Map<String, byte[]> parts = new LinkedHashMap<>();
  int chunk = 4;

  TestBundles(String app, String... services) {
    header.put("app", app);
    header.put("app_id", app.replace('-', '_'));
    header.put("created", "2026-12-03T06:00:00Z");
    header.put("format", 1);
    header.put("node", "db1");
    header.put("parts", List.of(services));
    header.put("postgres_version", "15.18");
    header.put("redis_version", "7.0.15");
    header.put("release", "20261203T055900Z-abc123");
    for (String s : services) {
      switch (s) {
        case "postgres" -> {
          parts.put("postgres/roles.sql", bytes("CREATE ROLE " + app + ";\n"));
          parts.put("postgres/dump", bytes("PGDMP-pretend-dump-of-" + app));
        }
        case "redis" -> parts.put("redis/dump.rdb", bytes("REDIS0011-pretend"));
        case "files" -> parts.put("files/uploads.tar", bytes("a pretend tar of the uploads"));
        default -> throw new IllegalArgumentException(s);
      }
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The members in order: header, each part's chunks, manifest. */
  List<Member> members() throws Exception {
    List<Member> m = new ArrayList<>();
    m.add(new Member(BundleVerifier.HEADER, JSON.writeValueAsBytes(header)));
    Map<String, Object> listed = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> p : parts.entrySet()) {
      byte[] data = p.getValue();
      int n = 0;
      if (p.getKey().equals("postgres/roles.sql")) {
        m.add(new Member(p.getKey(), data));
        n = 1;
      } else {
        for (int off = 0; off == 0 || off < data.length; off += chunk) {
          byte[] piece =
              java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + chunk));
          m.add(new Member(String.format("%s.%06d", p.getKey(), n++), piece));
        }
      }
      listed.put(p.getKey(), Map.of("size", data.length, "sha256", sha256(data), "chunks", n));
    }
    Map<String, Object> manifest = new LinkedHashMap<>(header);
    manifest.put("parts", listed);
    manifest.put("complete", true);
    m.add(new Member(BundleVerifier.MANIFEST, JSON.writeValueAsBytes(manifest)));
    return m;
  }

  byte[] bytes() throws Exception {
    return tar(members());
  }

  static byte[] tar(List<Member> members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Member m : members) {
      out.writeBytes(header(m.name(), m.claimedSize(), m.type()));
      out.writeBytes(m.data());
      out.writeBytes(new byte[(512 - m.data().length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  /** A ustar header as Python's tarfile writes it. */
  static byte[] header(String name, long size, char type) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length > 100) {
      int cut = name.lastIndexOf('/', 155);
      put(h, 345, name.substring(0, cut));
      put(h, 0, name.substring(cut + 1));
    } else {
      put(h, 0, name);
    }
    put(h, 100, "0000600\0");
    put(h, 108, "0000000\0");
    put(h, 116, "0000000\0");
    put(h, 124, String.format("%011o\0", size));
    put(h, 136, String.format("%011o\0", 1764741600L));
    h[156] = (byte) type;
    put(h, 257, "ustar\0");
    put(h, 263, "00");
    put(h, 265, "root");
    put(h, 297, "root");
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o\0 ", sum));
    return h;
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, at, b.length);
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
