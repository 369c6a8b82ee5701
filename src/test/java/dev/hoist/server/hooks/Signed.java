package dev.hoist.server.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Test helpers that sign as the providers do, computed here, independently of {@link Hmac}. */
final class Signed {
  private Signed() {}

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(String secret, byte[] body) {
    return HexFormat.of().formatHex(hmac(utf8(secret), body));
  }

  static String standard(String whsec, String id, long timestamp, byte[] body) {
    byte[] key = Base64.getDecoder().decode(whsec.substring("whsec_".length()));
    return "v1,"
        + Base64.getEncoder()
            .encodeToString(hmac(key, concat(utf8(id + "." + timestamp + "."), body)));
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A GitHub delivery of {@code body}, signed with {@code secret}. */
  static HookRequest github(String secret, String event, String delivery, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-GitHub-Event", event);
    headers.put("X-GitHub-Delivery", delivery);
    headers.put("X-Hub-Signature-256", "sha256=" + hex(secret, body));
    headers.put("Content-Type", "application/json");
    return new HookRequest(headers, body);
  }

  /** One of GitHub's documented payload examples (octokit/webhooks), byte for byte. */
  static byte[] example(String name) {
    try (InputStream in = Signed.class.getResourceAsStream("octokit/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no test resource octokit/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
