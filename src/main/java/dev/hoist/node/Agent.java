package dev.hoist.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs Hoist's node agent (a python3 program sent with each run, never installed) on a node: one
 * JSON request in, JSON-line events out, one round trip per call.
 */
public final class Agent {
  /**
   * Debian's interpreter, not whatever python3 is first on PATH (pyenv, a venv); always run with
   * {@code -I} (isolated: no user site, no PYTHON* variables, not the working directory on
   * sys.path).
   */
  public static final String PYTHON = "/usr/bin/python3";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SOURCE = load();

  private final Node node;
  private int roundTrips;

  public Agent(Node node) {
    this.node = node;
  }

  public Node node() {
    return node;
  }

  /** How many agent runs this object has made: the round trips a command cost. */
  public int roundTrips() {
    return roundTrips;
  }

  /**
   * Sends {@code request} (plus {@code payload}, e.g. a release archive) and returns the agent's
   * final {@code result} event; every other event goes to {@code onEvent} as it arrives.
   */
  public JsonNode call(
      ObjectNode request, byte[] payload, Duration timeout, Consumer<JsonNode> onEvent)
      throws AgentException, InterruptedException {
    request.put("payload_size", payload.length);
    byte[] header = (request.toString() + "\n").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream stdin = new ByteArrayOutputStream(header.length + payload.length);
    stdin.writeBytes(header);
    stdin.writeBytes(payload);
    JsonNode[] result = new JsonNode[1];
    Consumer<String> onLine =
        line -> {
          JsonNode event = parse(line);
          if (event == null) {
            return;
          }
          if ("result".equals(event.path("ev").asText())) {
            result[0] = event;
          } else {
            onEvent.accept(event);
          }
        };
    roundTrips++;
    // HOIST_TRACE=1 counts a command's round trips per node (the no-op ITs of rolling deploys).
    Trace.mark(node.name() + ": agent " + request.path("op").asText("run"));
    ExecResult exec;
    try {
      exec =
          node.exec(
              new ExecRequest(
                  List.of(PYTHON, "-I", "-c", SOURCE), stdin.toByteArray(), timeout, onLine));
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("error=2")) {
        throw new AgentException(
            node.name() + ": " + PYTHON + " is missing; install it (apt-get install python3).", e);
      }
      // Transport errors (SshException) already start with the node's name.
      String message = String.valueOf(e.getMessage());
      throw new AgentException(
          message.startsWith(node.name() + ": ") ? message : node.name() + ": " + message, e);
    }
    if (result[0] == null) {
      throw new AgentException(
          node.name()
              + ": the node agent ended without a result (exit "
              + exec.exitCode()
              + ")"
              + (exec.stderr().isBlank() ? "" : ":\n" + exec.stderr().strip()),
          null);
    }
    return result[0];
  }

  public static ObjectNode request(String op) {
    return JSON.createObjectNode().put("op", op);
  }

  public static ObjectMapper json() {
    return JSON;
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
  }

  private static String load() {
    try (InputStream in = Agent.class.getResourceAsStream("agent.py")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
