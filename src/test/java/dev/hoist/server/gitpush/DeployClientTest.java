package dev.hoist.server.gitpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeployClientTest {
  private final HttpClient http = DeployClient.client();
  private FakeApi api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    http.close();
  }

  @Test
  void asksForTheCommitWithTheToken() throws Exception {
    api = new FakeApi();
    long id = new DeployClient(http, api.base(), FakeApi.TOKEN).deploy("shop", "ab".repeat(20));

    assertThat(id).isEqualTo(7);
    assertThat(api.calls).containsExactly("POST /api/projects/shop/deploy");
    assertThat(api.bodies).containsExactly("{\"commit\":\"" + "ab".repeat(20) + "\"}");
  }

  @Test
  void aRefusalSaysWhatTheServerSaid() throws Exception {
    api = new FakeApi();
    DeployClient client = new DeployClient(http, api.base(), "hoist_wrong");

    assertThatThrownBy(() -> client.deploy("shop", "ab".repeat(20)))
        .isInstanceOf(DeployClient.ApiFailure.class)
        .hasMessage(
            "the server refused the deploy (HTTP 401): no valid token; send Authorization: Bearer");
  }

  @Test
  void followsTheLogAcrossABrokenStream() throws Exception {
    api = new FakeApi();
    List<String> lines = new ArrayList<>();

    JsonNode end = new DeployClient(http, api.base(), FakeApi.TOKEN).follow(7, lines::add);

    assertThat(lines).containsExactly("fetch 1a2b3c", "web1 deployed");
    assertThat(end.get("status").asText()).isEqualTo("succeeded");
    assertThat(api.calls)
        .containsExactly("GET /api/deploys/7/log", "GET /api/deploys/7/log after 1");
  }

  @Test
  void noServerIsSaidPlainly() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    URI base = URI.create("http://127.0.0.1:" + closed);

    assertThatThrownBy(
            () -> new DeployClient(http, base, FakeApi.TOKEN).deploy("shop", "ab".repeat(20)))
        .hasMessage("cannot reach the hoist server at " + base + " (ConnectException)");
  }
}
