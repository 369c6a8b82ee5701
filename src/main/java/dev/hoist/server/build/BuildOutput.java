package dev.hoist.server.build;

import dev.hoist.build.BuildUser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a build made, taken back by the server before it deploys: the build user's tree copied into
 * a tree of the server's own, and the files that configure the deploy (hoist.yml, .hoistignore,
 * .hoist/) taken from the commit, never from the build.
 *
 * <p>Why: a server run as root deploys to its own machine as root from this tree. The build (or any
 * process the build user left behind) can change its tree at any time, so root must never read a
 * file of it by path: a hoist.yml rewritten by a build dependency would be obeyed as root, and a
 * file swapped for a link to /etc/hoist-server/key between a check and the packaging would ship
 * that key in the release. The copy walks the tree by open directory handles (openat with
 * O_NOFOLLOW), so no entry swapped for a link, at any depth, leads it elsewhere; links are copied
 * as links (the release checks them against the copy, which nobody else can change). Anything but
 * directories, files and links (FIFOs, sockets) is left out.
 */
final class BuildOutput {
  /** Read from the commit: they say what root does on this machine and its nodes. */
  static final Set<String> DEPLOY_CONFIG = Set.of("hoist.yml", ".hoistignore", ".hoist");

  private static final Set<PosixFilePermission> KEPT =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE,
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_EXECUTE);

  private BuildOutput() {}

  /**
   * Makes {@code commitTree} (a fresh checkout of the commit, the server's own) the tree to deploy:
   * everything in it but {@link #DEPLOY_CONFIG} is replaced by what {@code built} holds.
   */
  static void takeInto(Path built, Path commitTree) throws IOException {
    // Walked by handles from the build dir's parent (root's /tmp): a build dir swapped for a link
    // is refused, and one the build could rename (not the server's, or writable by others) too.
    Path dir = built.getParent();
    try (DirectoryStream<Path> parent = Files.newDirectoryStream(dir.getParent())) {
      if (!(parent instanceof SecureDirectoryStream<Path> secure)) {
        throw new IOException("this system cannot walk a directory by handles (openat)");
      }
      try (SecureDirectoryStream<Path> buildDir =
          secure.newDirectoryStream(dir.getFileName(), LinkOption.NOFOLLOW_LINKS)) {
        serversOwn(buildDir, dir);
        try (Stream<Path> entries = Files.list(commitTree)) {
          for (Path p : entries.toList()) {
            if (!DEPLOY_CONFIG.contains(p.getFileName().toString())) {
              dev.hoist.build.BuildTree.delete(p);
            }
          }
        }
        try (SecureDirectoryStream<Path> top =
            buildDir.newDirectoryStream(built.getFileName(), LinkOption.NOFOLLOW_LINKS)) {
          copy(top, commitTree, true);
        }
      }
    }
  }

  /** Refuses {@code dir} (opened as {@code handle}) unless only the server can change it. */
  private static void serversOwn(SecureDirectoryStream<Path> handle, Path dir) throws IOException {
    PosixFileAttributes a =
        handle.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
    String me = BuildUser.current().name();
    Set<PosixFilePermission> perms = a.permissions();
    if (!a.owner().getName().equals(me)
        || perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException(
          dir
              + " belongs to "
              + a.owner().getName()
              + " or others can write it; the build directory must be the server's ("
              + me
              + ") alone");
    }
  }

  private static void copy(SecureDirectoryStream<Path> from, Path to, boolean top)
      throws IOException {
    for (Path entry : from) {
      Path name = entry.getFileName();
      if (top && DEPLOY_CONFIG.contains(name.toString())) {
        continue;
      }
      PosixFileAttributes a =
          from.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .readAttributes();
      Path target = to.resolve(name.toString());
      if (a.isDirectory()) {
        Files.createDirectory(target);
        try (SecureDirectoryStream<Path> sub =
            from.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
          copy(sub, target, false);
        }
        Files.setPosixFilePermissions(target, kept(a.permissions()));
      } else if (a.isRegularFile()) {
        try (SeekableByteChannel in =
                from.newByteChannel(
                    name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
            FileChannel out =
                FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          long n = 0;
          while (true) {
            long moved = out.transferFrom(in, n, 1 << 20);
            if (moved <= 0) {
              break;
            }
            n += moved;
          }
        }
        Files.setPosixFilePermissions(target, kept(a.permissions()));
      } else if (a.isSymbolicLink()) {
        // Only the link's text is read (a path string, whatever it points at).
        Files.createSymbolicLink(target, Files.readSymbolicLink(entry));
      }
    }
  }

  /** Group and others never write what root made; no set-id bits (Java's set has none). */
  private static Set<PosixFilePermission> kept(Set<PosixFilePermission> perms) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : perms) {
      if (KEPT.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }
}
