package dev.hoist.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/** One lab command changes the lab at a time; two concurrent `lab up` never both build the base. */
final class LabLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private LabLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, saying so when another command holds it. The kernel frees it when a process
   * dies.
   */
  static LabLock acquire(LabLayout layout, Consumer<String> progress) throws LabException {
    try {
      Files.createDirectories(layout.home());
      FileChannel channel =
          FileChannel.open(layout.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        progress.accept(
            "lab: waiting for another hoist lab command to finish (it holds "
                + layout.lock()
                + ")");
        lock = channel.lock();
      }
      return new LabLock(channel, lock);
    } catch (IOException e) {
      throw new LabException("cannot lock " + layout.lock() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel or exiting frees the lock anyway.
    }
  }
}
