package dev.hoist.stack;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The app's services env file as its separate db node wrote it (DATABASE_URL and REDIS_URL with
 * their passwords), carried to the app nodes unread: its text never appears in {@link #toString}, a
 * plan's diff, output or a trace. Only {@link #bytes} hands it on, to the app nodes' secret file
 * resource.
 */
public final class ServicesEnv {
  private final byte[] text;
  private final List<String> names;

  private ServicesEnv(byte[] text, List<String> names) {
    this.text = text;
    this.names = List.copyOf(names);
  }

  /** {@code text}: the env file's content; {@code names}: its variables' names (never values). */
  public static ServicesEnv of(String text, List<String> names) {
    return new ServicesEnv(text.getBytes(StandardCharsets.UTF_8), names);
  }

  /** The variables' names, which may be shown. */
  public List<String> names() {
    return names;
  }

  /** The content, for the file resource that writes it (a copy). */
  byte[] bytes() {
    return text.clone();
  }

  /** A short digest, to tell two values apart without showing them. */
  public String digest() {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(text))
          .substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServicesEnv e && MessageDigest.isEqual(e.text, text);
  }

  @Override
  public int hashCode() {
    return names.hashCode();
  }

  @Override
  public String toString() {
    return "ServicesEnv[" + String.join(", ", names) + " (values hidden)]";
  }
}
