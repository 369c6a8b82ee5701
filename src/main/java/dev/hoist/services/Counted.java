package dev.hoist.services;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** An input stream that tells {@code onBytes} the running total of what was read from it. */
public final class Counted extends FilterInputStream {
  private final LongConsumer onBytes;
  private long total;

  public Counted(InputStream in, LongConsumer onBytes) {
    super(in);
    this.onBytes = onBytes;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      onBytes.accept(++total);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      total += n;
      onBytes.accept(total);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    throw new IOException("skip is not supported");
  }
}
