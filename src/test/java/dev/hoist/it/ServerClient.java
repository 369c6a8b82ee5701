package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A client of a running {@link ServerProcess}: GitHub's documented push example (octokit/webhooks)
 * signed with the project's secret, API calls with a bearer token, the deploy log as server-sent
 * events.
 */
final class ServerClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String OCTOKIT_HEAD = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
  private static final Set<String> ENDED =
      Set.of("succeeded", "failed", "superseded", "interrupted");

  private final HttpClient http = HttpClient.newHttpClient();
  private final ServerProcess server;

  ServerClient(ServerProcess server) {
    this.server = server;
  }

  /** GitHub's documented push, on branch main and at {@code commit} instead of its own. */
  static byte[] octokitPush(String commit) throws IOException {
    try (InputStream in =
        ServerClient.class.getResourceAsStream(
            "/dev/hoist/server/hooks/octokit/push-with-new-branch.json")) {
      String example = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return example
          .replace("refs/heads/master", "refs/heads/main")
          .replace(OCTOKIT_HEAD, commit)
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  /** GitHub's {@code X-Hub-Signature-256} of {@code body} under the project's secret. */
  String sign(byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(server.secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
  }

  /** A signed GitHub push of {@code commit} to the project: the id of the deploy it queued. */
  long push(String commit, String delivery) throws Exception {
    byte[] body = octokitPush(commit);
    HttpResponse<String> accepted = hook("/hooks/" + server.project, body, delivery, sign(body));
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    return JSON.readTree(accepted.body()).get("id").asLong();
  }

  HttpResponse<String> hook(String path, byte[] body, String delivery, String signature)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.base() + path))
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", delivery)
            .header("X-Hub-Signature-256", signature)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            // An oversized body waits for the server's answer (413) instead of racing its close.
            .expectContinue(body.length > 5 * 1024 * 1024)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Deploy {@code id} as {@code GET /api/deploys/{id}} has it. */
  JsonNode deploy(long id, String token) throws Exception {
    HttpResponse<String> r = get("/api/deploys/" + id, token);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Deploy {@code id} once it has ended (any way), polled; fails after {@code limit}. */
  JsonNode ended(long id, String token, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      JsonNode d = deploy(id, token);
      if (ENDED.contains(d.get("status").asText())) {
        return d;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("deploy " + id + " did not end within " + limit + ": " + d);
      }
      Thread.sleep(200);
    }
  }

  /** The lines of a {@code text/event-stream} answer, read until the server ends it. */
  List<String> sse(String path, String token) throws Exception {
    HttpResponse<InputStream> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.base() + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    List<String> lines = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    }
    return lines;
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.base() + path))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
