package dev.hoist.server.build;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A commit's files written into a new directory by this JVM from git's objects: {@code git ls-tree}
 * names them, {@code git cat-file --batch} gives their bytes. No checkout code runs and no filter,
 * attribute or config the commit could name applies (a server run as root would run them as root);
 * the bytes are the commit's exactly.
 *
 * <p>A tree git did not check (fetch does not fsck) may hold names that git's checkout refuses:
 * {@code ..}, {@code .git}, a slash, a file under a link. Each is refused here, every directory is
 * one this class made, and each file is created new without following a link.
 */
final class CommitFiles {
  private CommitFiles() {}

  /** One entry of {@code git ls-tree -r}: a blob (file or link) or a submodule. */
  record Entry(String mode, String oid, String path) {}

  /** Writes {@code commit}'s files into {@code into}, an empty directory nobody else can write. */
  static void write(Git git, String commit, Path into) throws IOException, InterruptedException {
    List<Entry> entries = parse(lsTree(git, commit));
    Set<Path> made = new HashSet<>(Set.of(into));
    Set<Path> leaves = new HashSet<>();
    List<Entry> blobs = new ArrayList<>();
    for (Entry e : entries) {
      Path target = into.resolve(checked(e.path()));
      if (made.contains(target) || !leaves.add(target)) {
        throw new IOException("the commit holds " + e.path() + " twice; git's checkout refuses it");
      }
      directories(into, target.getParent(), made, leaves, e.path());
      if (e.mode().equals("160000")) {
        // A submodule: an empty directory, as git's checkout leaves it.
        Files.createDirectory(target);
        made.add(target);
      } else {
        blobs.add(e);
      }
    }
    Process p = git.start(List.of("cat-file", "--batch"));
    Thread feeder =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (OutputStream in = p.getOutputStream()) {
                    for (Entry e : blobs) {
                      in.write((e.oid() + "\n").getBytes(StandardCharsets.US_ASCII));
                    }
                  } catch (IOException ignored) {
                    // cat-file died; its missing output is the error below.
                  }
                });
    try (InputStream out = new BufferedInputStream(p.getInputStream(), 1 << 16)) {
      for (Entry e : blobs) {
        String header = line(out);
        String[] h = header.split(" ");
        if (h.length != 3 || !h[0].equals(e.oid()) || !h[1].equals("blob")) {
          throw new IOException("git cat-file gave '" + header + "' for " + e.path());
        }
        long size = Long.parseLong(h[2]);
        Path target = into.resolve(e.path());
        if (e.mode().equals("120000")) {
          String text = new String(out.readNBytes(Math.toIntExact(size)), StandardCharsets.UTF_8);
          // Only the link's text: whatever it points at is never read here.
          Files.createSymbolicLink(target, Path.of(text));
        } else {
          file(out, size, target, e.mode().equals("100755"));
        }
        if (out.read() != '\n') {
          throw new IOException("git cat-file's output for " + e.path() + " is cut short");
        }
      }
    } finally {
      feeder.join();
      if (!p.waitFor(1, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      }
    }
  }

  private static byte[] lsTree(Git git, String commit) throws IOException, InterruptedException {
    Process p = git.start(List.of("ls-tree", "-r", "-z", "--full-tree", commit));
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(1, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("git ls-tree did not finish in 1 minute");
    }
    if (p.exitValue() != 0) {
      throw new IOException("git ls-tree " + commit + " failed (exit " + p.exitValue() + ")");
    }
    return out;
  }

  /** {@code <mode> SP <type> SP <oid> TAB <path> NUL}, each path UTF-8. */
  static List<Entry> parse(byte[] out) throws IOException {
    List<Entry> entries = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < out.length; i++) {
      if (out[i] != 0) {
        continue;
      }
      String record = utf8(out, start, i);
      start = i + 1;
      int tab = record.indexOf('\t');
      String[] meta = tab < 0 ? new String[0] : record.substring(0, tab).split(" ");
      if (meta.length != 3) {
        throw new IOException("git ls-tree gave a line of an unknown form: " + record);
      }
      if (!Set.of("100644", "100755", "120000", "160000").contains(meta[0])) {
        throw new IOException(
            "the commit's "
                + record.substring(tab + 1)
                + " has a mode git never writes: "
                + meta[0]);
      }
      entries.add(new Entry(meta[0], meta[2], record.substring(tab + 1)));
    }
    return entries;
  }

  /** {@code path} as git's checkout would accept it; else why not. */
  static String checked(String path) throws IOException {
    for (String part : path.split("/", -1)) {
      if (part.isEmpty()
          || part.equals(".")
          || part.equals("..")
          || part.toLowerCase(Locale.ROOT).equals(".git")) {
        throw new IOException(
            "the commit holds a path git's checkout refuses: '"
                + path
                + "'; remove it from the repository");
      }
    }
    return path;
  }

  private static void directories(
      Path into, Path dir, Set<Path> made, Set<Path> leaves, String path) throws IOException {
    if (made.contains(dir)) {
      return;
    }
    directories(into, dir.getParent(), made, leaves, path);
    if (leaves.contains(dir) || Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      // A link or a file of the commit where a directory should be: git refuses it too.
      throw new IOException(
          "the commit's "
              + path
              + " lies under "
              + into.relativize(dir)
              + ", which is no directory");
    }
    Files.createDirectory(dir);
    made.add(dir);
  }

  private static void file(InputStream in, long size, Path target, boolean executable)
      throws IOException {
    try (FileChannel out =
        FileChannel.open(
            target,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      byte[] buffer = new byte[1 << 16];
      long left = size;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException("git cat-file's output for " + target + " is cut short");
        }
        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
        left -= n;
      }
    }
    Files.setPosixFilePermissions(
        target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        throw new IOException("git cat-file ended early");
      }
      b.write(c);
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  private static String utf8(byte[] bytes, int from, int to) throws IOException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, from, to - from))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException("the commit holds a file name that is not UTF-8; rename it", e);
    }
  }
}
