package dev.hoist.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Plain HTTP/1.0 GETs to nginx on 127.0.0.1:80 (or a lab node's address) with a chosen Host header
 * (the JDK's client refuses to set Host), as {@code curl -H 'Host: ...' http://127.0.0.1/} does.
 */
public final class Http {
  /** A response: status, headers as text, body. */
  public record Response(int status, String headers, String body) {}

  private Http() {}

  public static Response get(String host, String path) throws IOException {
    return get("127.0.0.1", host, path);
  }

  /**
   * A GET to nginx at {@code address} (a lab node, say) port 80, with extra {@code headers} ("Name:
   * value").
   */
  static Response get(String address, String host, String path, String... headers)
      throws IOException {
    try (Socket socket = new Socket(address, 80)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request =
          new StringBuilder("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n");
      for (String h : headers) {
        request.append(h).append("\r\n");
      }
      out.write(
          request
              .append("Connection: close\r\n\r\n")
              .toString()
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = raw.indexOf("\r\n\r\n");
      String head = split < 0 ? raw : raw.substring(0, split);
      String body = split < 0 ? "" : raw.substring(split + 4);
      int status = Integer.parseInt(head.substring(9, 12));
      return new Response(status, head, body);
    }
  }
}
