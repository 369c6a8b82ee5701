package dev.hoist.services;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the tar layer of a {@code .hoistbak} as untrusted input, one member at a time and never
 * more than the member asked for: only ustar regular files (links, directories, devices, pax and
 * GNU extension headers are refused), header checksums checked, a size claim is only a number until
 * the caller has checked it against its bound. What the names may be is {@link BundleVerifier}'s
 * business.
 */
final class BundleReader {
  /** One member: its name and size as the header claims them. */
  record Member(String name, long size) {}

  private static final int BLOCK = 512;

  /** After the end-of-archive blocks only zeros may follow, and not many (tar pads to 10 KiB). */
  private static final int TRAILER_MAX = 64 * 1024;

  private final InputStream in;
  private long offset;

  BundleReader(InputStream in) {
    this.in = in;
  }

  /** Bytes read so far. */
  long offset() {
    return offset;
  }

  /**
   * The next member's header, or empty at the end of the archive (a zero block, or the stream's end
   * exactly between members).
   */
  Optional<Member> next() throws IOException, BundleException {
    byte[] block = read(BLOCK);
    if (block.length == 0) {
      return Optional.empty();
    }
    if (block.length < BLOCK) {
      throw new BundleException(
          "the bundle ends inside a tar header at byte " + (offset - block.length) + ": truncated");
    }
    if (zero(block)) {
      return Optional.empty();
    }
    long at = offset - BLOCK;
    if (checksum(block) != octal(block, 148, 8, at)) {
      throw new BundleException(
          "bad tar header checksum at byte " + at + ": not a hoist bundle, or damaged");
    }
    String name = text(block, 0, 100);
    if (ascii(block, 257, 5).equals("ustar")) {
      String prefix = text(block, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
    }
    char type = (char) block[156];
    if (type != '0' && type != '\0') {
      throw new BundleException(
          "member "
              + printable(name)
              + " is not a regular file (tar type "
              + printable(String.valueOf(type))
              + "): refused");
    }
    return Optional.of(new Member(name, size(block, at)));
  }

  /**
   * The member's content: exactly {@code size} bytes (checked against its bound by the caller
   * first) and its padding; {@code label} names it when the stream ends too soon.
   */
  byte[] content(Member member, String label) throws IOException, BundleException {
    // Bounded by the caller (at most a chunk, 8 MiB), so it may be held whole.
    byte[] data = read((int) member.size());
    int pad = (int) ((BLOCK - member.size() % BLOCK) % BLOCK);
    if (data.length < member.size() || read(pad).length < pad) {
      throw new BundleException("the bundle ends inside " + label + ": truncated");
    }
    return data;
  }

  /**
   * Skips the member's content and padding without reading it (a file: a seek); {@code label} names
   * it when the stream ends too soon.
   */
  void skip(Member member, String label) throws IOException, BundleException {
    long n = member.size() + (BLOCK - member.size() % BLOCK) % BLOCK;
    while (n > 0) {
      long skipped = in.skip(n);
      if (skipped <= 0) {
        // skip() may stop short, or claim bytes past the end of a file: only a read tells.
        if (in.read() < 0) {
          throw new BundleException("the bundle ends inside " + label + ": truncated");
        }
        skipped = 1;
      }
      n -= skipped;
      offset += skipped;
    }
  }

  /** After the manifest: the end-of-archive zeros, then the stream's end. */
  void expectEnd() throws IOException, BundleException {
    byte[] rest = read(TRAILER_MAX);
    if (!zero(rest) || in.read() >= 0) {
      throw new BundleException("data after the manifest: refused");
    }
  }

  private byte[] read(int n) throws IOException {
    byte[] b = in.readNBytes(n);
    offset += b.length;
    return b;
  }

  private static boolean zero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /** Sum of the header's bytes with the checksum field read as spaces (POSIX). */
  private static long checksum(byte[] block) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (block[i] & 0xff);
    }
    return sum;
  }

  /** The size field: octal digits, or GNU's base-256 for the huge (the caller bounds it). */
  private static long size(byte[] block, long at) throws BundleException {
    if ((block[124] & 0x80) != 0) {
      long v = 0;
      for (int i = 125; i < 136; i++) {
        if (v > (Long.MAX_VALUE >> 8)) {
          return Long.MAX_VALUE;
        }
        v = (v << 8) | (block[i] & 0xff);
      }
      return v;
    }
    return octal(block, 124, 12, at);
  }

  private static long octal(byte[] block, int from, int length, long at) throws BundleException {
    String s = ascii(block, from, length).trim();
    if (s.isEmpty() || s.length() > 12 || !s.chars().allMatch(c -> c >= '0' && c <= '7')) {
      throw new BundleException(
          "bad number in the tar header at byte " + at + ": not a hoist bundle, or damaged");
    }
    return Long.parseLong(s, 8);
  }

  /** A NUL-terminated field as text; names are checked against an ASCII allow-list later. */
  private static String text(byte[] block, int from, int length) {
    int end = from;
    while (end < from + length && block[end] != 0) {
      end++;
    }
    return new String(block, from, end - from, StandardCharsets.UTF_8);
  }

  private static String ascii(byte[] block, int from, int length) {
    int end = from;
    while (end < from + length && block[end] != 0) {
      end++;
    }
    return new String(block, from, end - from, StandardCharsets.US_ASCII);
  }

  /** {@code s} quoted, with anything but printable ASCII escaped: names are the sender's text. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return b.append('\'').toString();
  }
}
