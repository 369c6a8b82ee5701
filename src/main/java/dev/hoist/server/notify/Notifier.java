package dev.hoist.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.server.ProjectConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tells a project's {@code notify:} targets that a deploy finished: Hoist's own JSON object, or
 * Slack's or Discord's incoming-webhook shape. Targets are told at once and waited for at most
 * {@link #TIMEOUT} in all; a target that fails is reported, never thrown, and never named by its
 * full URL (a Slack or Discord webhook URL is itself the secret that lets anyone post).
 */
public final class Notifier {
  /** How long one round of notifications may take, connecting included. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final Duration timeout;

  /**
   * Uses {@code http} for every post; {@link #client()} makes one with a bounded connect time and
   * no redirects.
   */
  public Notifier(HttpClient http) {
    this(http, TIMEOUT);
  }

  Notifier(HttpClient http, Duration timeout) {
    this.http = http;
    this.timeout = timeout;
  }

  /** A client for notifications: connects within {@link #TIMEOUT}, follows no redirect. */
  public static HttpClient client() {
    return HttpClient.newBuilder()
        .connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** A finished deploy as told: its id, commit, final status, how long it took, its page. */
  public record Finished(long id, String commit, String status, Duration took, URI link) {}

  /**
   * Posts to each of project.notifications(); failures are returned, never thrown.
   *
   * @return one line per target that failed (host and format, what went wrong); empty when all
   *     answered 2xx
   */
  public List<String> tell(ProjectConfig project, Finished deploy) {
    List<ProjectConfig.Notify> targets = project.notifications();
    List<CompletableFuture<String>> sent = new ArrayList<>();
    for (ProjectConfig.Notify target : targets) {
      sent.add(send(target, payload(project.name(), deploy, target.format())));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      String failure = outcome(sent.get(i), deadline);
      if (!failure.isEmpty()) {
        failures.add(shown(targets.get(i)) + ": " + failure);
      }
    }
    return failures;
  }

  private CompletableFuture<String> send(ProjectConfig.Notify target, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(target.url())
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("User-Agent", "hoist-server")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .handle(
              (response, error) -> {
                if (error != null) {
                  return describe(error);
                }
                int status = response.statusCode();
                return status / 100 == 2 ? "" : "answered HTTP " + status;
              });
    } catch (RuntimeException e) { // e.g. a client already closed
      return CompletableFuture.completedFuture(describe(e));
    }
  }

  private String outcome(CompletableFuture<String> sent, long deadline) {
    try {
      return sent.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      sent.cancel(true);
      return "no answer within " + timeout.toMillis() + " ms";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sent.cancel(true);
      return "interrupted";
    } catch (ExecutionException e) {
      return describe(e.getCause());
    }
  }

  // The exception's text may hold the URL (and so a webhook token): say only its kind.
  private static String describe(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof java.util.concurrent.CompletionException
            || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof HttpTimeoutException) {
      return "no answer in time";
    }
    if (cause instanceof java.net.ConnectException) {
      return "connection refused or unreachable";
    }
    return "could not post (" + cause.getClass().getSimpleName() + ")";
  }

  // Scheme, host and port only: the path and query of a webhook URL are its secret.
  static String shown(ProjectConfig.Notify target) {
    URI url = target.url();
    String port = url.getPort() < 0 ? "" : ":" + url.getPort();
    return "notify "
        + url.getScheme()
        + "://"
        + url.getHost()
        + port
        + " ("
        + target.format().name().toLowerCase(java.util.Locale.ROOT)
        + ")";
  }

  static String payload(String project, Finished deploy, ProjectConfig.Notify.Format format) {
    ObjectNode body = JSON.createObjectNode();
    switch (format) {
      case JSON -> {
        body.put("project", project);
        body.put("id", deploy.id());
        body.put("commit", deploy.commit());
        body.put("status", deploy.status());
        if (deploy.took() == null) {
          body.putNull("duration_ms");
        } else {
          body.put("duration_ms", deploy.took().toMillis());
        }
        body.put("link", deploy.link() == null ? null : deploy.link().toString());
        body.put("text", sentence(project, deploy, false));
      }
      case SLACK -> body.put("text", sentence(project, deploy, true));
      case DISCORD -> {
        body.put("content", sentence(project, deploy, false));
        // Nothing in the text may ping anyone (a commit message could hold "@everyone").
        body.putObject("allowed_mentions").putArray("parse");
      }
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree of strings always serialises", e);
    }
  }

  // "shop: deploy 12 of 1a2b3c4d5e6f succeeded in 41 s <link>"
  static String sentence(String project, Finished deploy, boolean slack) {
    String commit = deploy.commit() == null ? "the branch head" : shortCommit(deploy.commit());
    StringBuilder text =
        new StringBuilder(project)
            .append(": deploy ")
            .append(deploy.id())
            .append(" of ")
            .append(commit)
            .append(' ')
            .append(deploy.status());
    if (deploy.took() != null) {
      text.append(" in ").append(seconds(deploy.took()));
    }
    String line = slack ? slackEscape(text.toString()) : text.toString();
    if (deploy.link() == null) {
      return line;
    }
    // Slack's link markup: <url|label>; Discord and plain readers get the bare URL.
    return slack
        ? line + " <" + slackEscape(deploy.link().toString()) + "|details>"
        : line + " " + deploy.link();
  }

  private static String shortCommit(String commit) {
    return commit.length() > 12 ? commit.substring(0, 12) : commit;
  }

  private static String seconds(Duration took) {
    long s = took.toSeconds();
    return s < 120 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
  }

  // Slack reads &, < and > as markup: https://api.slack.com/reference/surfaces/formatting#escaping
  private static String slackEscape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
