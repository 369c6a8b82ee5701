package dev.hoist.server.hooks;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A project's webhook secret, as read from its secret file (one trailing newline dropped). It never
 * shows in {@link #toString()}, so it cannot reach a log line or an error message by accident.
 */
public final class WebhookSecret {
  private static final String STANDARD_PREFIX = "whsec_";
  private final byte[] bytes;

  private WebhookSecret(byte[] bytes) {
    this.bytes = bytes.clone();
  }

  /**
   * The secret in a secret file's text.
   *
   * @throws IllegalArgumentException if it is empty, or a {@code whsec_} secret that is not base64
   */
  public static WebhookSecret of(String fileText) {
    String text =
        fileText.endsWith("\r\n") ? fileText.substring(0, fileText.length() - 2) : fileText;
    text = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    if (text.isEmpty()) {
      throw new IllegalArgumentException("the secret file is empty");
    }
    if (text.contains("\n")) {
      throw new IllegalArgumentException("the secret file has more than one line");
    }
    WebhookSecret secret = new WebhookSecret(text.getBytes(StandardCharsets.UTF_8));
    if (text.startsWith(STANDARD_PREFIX) && secret.standardKey().isEmpty()) {
      throw new IllegalArgumentException("a whsec_ secret must be followed by base64");
    }
    return secret;
  }

  /** The secret's bytes: the HMAC key of GitHub, Gitea and the generic form; GitLab's token. */
  byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The HMAC key of a Standard Webhooks secret ({@code whsec_<base64>}: the decoded bytes), or
   * empty when this is not one.
   */
  Optional<byte[]> standardKey() {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (!text.startsWith(STANDARD_PREFIX)) {
      return Optional.empty();
    }
    try {
      byte[] key = Base64.getDecoder().decode(text.substring(STANDARD_PREFIX.length()));
      return key.length == 0 ? Optional.empty() : Optional.of(key);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "WebhookSecret[hidden]";
  }
}
