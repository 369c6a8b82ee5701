package dev.hoist.server.gitpush;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Asks the running server, through its API, to deploy a commit of a project and follows that
 * deploy's log as server-sent events until it ends (reconnecting with {@code Last-Event-ID} when
 * the stream breaks).
 */
final class DeployClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration ANSWER = Duration.ofSeconds(30);
  private static final int RECONNECTS = 5;

  private final HttpClient http;
  private final URI base;
  private final String token;

  DeployClient(HttpClient http, URI base, String token) {
    this.http = http;
    this.base = base;
    this.token = token;
  }

  static HttpClient client() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** A failed API call, said for the pusher: what the server answered and what to do. */
  static final class ApiFailure extends Exception {
    private static final long serialVersionUID = 1L;

    ApiFailure(String message) {
      super(message);
    }
  }

  /** POST /api/projects/{p}/deploy: the new deploy's id. */
  long deploy(String project, String commit) throws ApiFailure, InterruptedException {
    String body = JSON.createObjectNode().put("commit", commit).toString();
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve("/api/projects/" + project + "/deploy"))
            .timeout(ANSWER)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new ApiFailure(
          "cannot reach the hoist server at " + base + " (" + e.getClass().getSimpleName() + ")");
    }
    JsonNode answer = parse(response.body());
    if (response.statusCode() != 202 || !answer.path("id").canConvertToLong()) {
      throw new ApiFailure(
          "the server refused the deploy (HTTP "
              + response.statusCode()
              + "): "
              + answer.path("error").asText(response.body().strip())
              + (answer.hasNonNull("fix") ? "; " + answer.get("fix").asText() : ""));
    }
    return answer.get("id").asLong();
  }

  /**
   * Follows deploy {@code id}'s log, handing each line's text to {@code lines}.
   *
   * @return the deploy as the {@code end} event gave it
   */
  JsonNode follow(long id, Consumer<String> lines) throws ApiFailure, InterruptedException {
    String last = null;
    for (int attempt = 0; attempt <= RECONNECTS; attempt++) {
      if (attempt > 0) {
        Thread.sleep(1000);
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve("/api/deploys/" + id + "/log"))
              .timeout(ANSWER)
              .header("Authorization", "Bearer " + token)
              .header("Accept", "text/event-stream")
              .GET();
      if (last != null) {
        request.header("Last-Event-ID", last);
      }
      HttpResponse<InputStream> response;
      try {
        response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (IOException e) {
        continue;
      }
      if (response.statusCode() != 200) {
        String text;
        try (InputStream body = response.body()) {
          text = new String(body.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
          text = "";
        }
        throw new ApiFailure(
            "the server refused the log of deploy "
                + id
                + " (HTTP "
                + response.statusCode()
                + "): "
                + parse(text).path("error").asText(text.strip()));
      }
      try (EventStream events = new EventStream(response.body())) {
        Optional<EventStream.Event> event;
        while ((event = events.next()).isPresent()) {
          EventStream.Event e = event.get();
          if (e.id() != null) {
            last = e.id();
          }
          if (e.name().equals("line")) {
            lines.accept(parse(e.data()).path("text").asText(""));
          } else if (e.name().equals("end")) {
            return parse(e.data());
          }
        }
      } catch (IOException e) {
        // the stream broke: reconnect and resume after the last line seen
      }
    }
    throw new ApiFailure(
        "lost the log of deploy "
            + id
            + " after "
            + RECONNECTS
            + " reconnects; the deploy goes on: GET "
            + base.resolve("/api/deploys/" + id));
  }

  private static JsonNode parse(String text) {
    try {
      JsonNode node = JSON.readTree(text);
      return node == null ? JSON.missingNode() : node;
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }
}
