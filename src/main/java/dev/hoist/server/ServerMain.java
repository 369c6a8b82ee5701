package dev.hoist.server;

import dev.hoist.server.history.DeployRecord;
import dev.hoist.server.history.History;
import dev.hoist.server.hooks.DeliveryCache;
import dev.hoist.server.hooks.HookGate;
import dev.hoist.server.http.Backend;
import dev.hoist.server.http.HttpServer;
import dev.hoist.server.notify.Notifier;
import dev.hoist.server.run.Deploys;
import dev.hoist.server.run.Metrics;
import dev.hoist.server.run.Pipeline;
import dev.hoist.server.tokens.NewToken;
import dev.hoist.server.tokens.Scope;
import dev.hoist.server.tokens.Tokens;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code hoist server}: opens the history (one server per data dir), makes the local token, wires
 * the webhooks and the API to the deploy queue and the pipeline, and listens until stopped. Only
 * the {@code server} command reaches this class, so a CLI deploy never loads Javalin or SQLite.
 */
public final class ServerMain implements AutoCloseable {
  /**
   * The name of the token the server makes for itself at each start (for hoist server git-hook).
   */
  public static final String LOCAL_TOKEN = "local";

  /** The file in the data dir holding the local token (0600). */
  public static final String LOCAL_TOKEN_FILE = "local-token";

  /** How long a stop waits for running deploys to reach a safe point. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(30);

  private final History history;
  private final ExecutorService deploys;
  private final HttpServer http;
  private final Consumer<String> log;

  private ServerMain(
      History history, ExecutorService deploys, HttpServer http, Consumer<String> log) {
    this.history = history;
    this.deploys = deploys;
    this.http = http;
    this.log = log;
  }

  /**
   * Starts the server of {@code config} with {@code pipeline}; returns once it listens.
   *
   * @param log where the server's lines go (never a secret in them)
   * @throws IOException if the data dir is unsafe or taken, or the address cannot be listened on
   */
  public static ServerMain start(ServerConfig config, Pipeline pipeline, Consumer<String> log)
      throws IOException {
    Clock clock = Clock.systemUTC();
    History history = History.open(config.data(), clock);
    try {
      config
          .projects()
          .values()
          .forEach(p -> history.saveProject(p.name(), p.repo(), p.branch(), p.env()));
      writeLocalToken(history, config.data(), clock);
      ExecutorService executor = Executors.newCachedThreadPool(threads());
      Metrics metrics = new Metrics();
      Notifier notifier = new Notifier(Notifier.client());
      Deploys deploys =
          new Deploys(
              config,
              history,
              pipeline,
              metrics,
              executor,
              finished -> notify(notifier, config, finished, log));
      Backend backend =
          new Backend(
              config,
              history,
              deploys,
              metrics,
              new HookGate(new DeliveryCache(10_000)),
              clock,
              log);
      HttpServer http;
      try {
        http = HttpServer.start(backend, config.listen().host(), config.listen().port());
      } catch (RuntimeException e) {
        executor.shutdownNow();
        throw new IOException(
            "cannot listen on "
                + config.listen()
                + ": "
                + rootMessage(e)
                + " (listen: in "
                + config.file()
                + ")",
            e);
      }
      log.accept(
          "hoist server: listening on http://"
              + hostPort(config.listen().host(), http.port())
              + " with "
              + config.projects().size()
              + " project(s); data in "
              + config.data());
      return new ServerMain(history, executor, http, log);
    } catch (IOException | RuntimeException e) {
      history.close();
      throw e;
    }
  }

  /** The port it listens on (the one asked for, or the one picked for port 0). */
  public int port() {
    return http.port();
  }

  /**
   * Stops: no new requests, running deploys are interrupted and given {@link #STOP_WAIT} to reach a
   * safe point (they are recorded interrupted), then the history is closed.
   */
  @Override
  public void close() {
    http.stop();
    deploys.shutdownNow();
    try {
      if (!deploys.awaitTermination(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        log.accept(
            "hoist server: a deploy did not stop in time; it is marked interrupted at the next start");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    history.close();
    log.accept("hoist server: stopped");
  }

  /**
   * The server's own deploy-scoped token, made afresh at each start for {@code hoist server
   * git-hook}: its hash stored like any token, the token in {@code <data>/local-token} (0600).
   */
  private static void writeLocalToken(History history, Path data, Clock clock) throws IOException {
    history.revokeToken(LOCAL_TOKEN);
    NewToken token =
        Tokens.create(LOCAL_TOKEN, Scope.DEPLOY, Instant.now(clock), new SecureRandom());
    Path partial = data.resolve(LOCAL_TOKEN_FILE + ".new");
    Files.deleteIfExists(partial);
    Files.createFile(
        partial,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(partial, token.secret() + "\n", StandardCharsets.US_ASCII);
    Files.move(
        partial,
        data.resolve(LOCAL_TOKEN_FILE),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    history.addToken(token.stored());
  }

  // After each deploy that ran: tell its notify: targets, off the queue's thread (up to 10 s).
  private static void notify(
      Notifier notifier, ServerConfig config, DeployRecord d, Consumer<String> log) {
    ProjectConfig project = config.projects().get(d.project());
    if (project == null || project.notifications().isEmpty()) {
      return;
    }
    Notifier.Finished finished =
        new Notifier.Finished(
            d.id(),
            d.commit(),
            d.status().word(),
            d.duration().orElse(Duration.ZERO),
            URI.create("http://" + config.listen() + "/#/deploys/" + d.id()));
    Thread.ofVirtual()
        .name("notify-" + d.id())
        .start(
            () -> {
              List<String> failures = notifier.tell(project, finished);
              failures.forEach(f -> log.accept("deploy " + d.id() + ": " + f));
            });
  }

  private static java.util.concurrent.ThreadFactory threads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "deploy-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }
}
