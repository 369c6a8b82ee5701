package dev.hoist.server.http;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import java.util.Map;

/**
 * The server's HTTP side on Javalin (Jetty 12): webhooks, the API, the log stream, /metrics and the
 * dashboard. Requests run on virtual threads, so a log stream that waits costs no OS thread.
 */
public final class HttpServer {
  private final Javalin app;

  private HttpServer(Javalin app) {
    this.app = app;
  }

  /** Starts listening on {@code host}:{@code port} (port 0: any free one). */
  public static HttpServer start(Backend backend, String host, int port) {
    HookEndpoint hooks = new HookEndpoint(backend);
    ApiEndpoints api = new ApiEndpoints(backend);
    LogStream log = new LogStream(backend, api);
    Dashboard dashboard = new Dashboard();
    Javalin app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.concurrency.useVirtualThreads = true;
              // Compression would hold back the log stream's events; nothing served is large.
              config.http.compressionStrategy = CompressionStrategy.NONE;
              config.routes.post("/hooks/{project}", hooks::handle);
              config.routes.get("/api/projects", api::projects);
              config.routes.get("/api/deploys", api::deploys);
              config.routes.get("/api/deploys/{id}", api::deploy);
              config.routes.get("/api/deploys/{id}/log", log::handle);
              config.routes.post("/api/projects/{project}/deploy", api::startDeploy);
              config.routes.post("/api/projects/{project}/rollback", api::rollback);
              config.routes.get(
                  "/metrics",
                  ctx ->
                      ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                          .result(
                              backend
                                  .metrics()
                                  .text(
                                      backend.config().projects().keySet(),
                                      backend.deploys()::waiting)));
              config.routes.get("/", dashboard::index);
              config.routes.get("/static/{file}", dashboard::file);
              config.routes.exception(
                  Problem.class,
                  (e, ctx) ->
                      ApiEndpoints.json(ctx, e.status(), Json.error(e.getMessage(), e.fix())));
              config.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    backend
                        .log()
                        .accept(
                            "error on "
                                + ctx.method()
                                + " "
                                + ctx.path()
                                + ": "
                                + e.getClass().getSimpleName()
                                + ": "
                                + e.getMessage());
                    ApiEndpoints.json(
                        ctx,
                        500,
                        Map.of(
                            "error", "the server failed on this request",
                            "fix", "see the server's log; report it if it repeats"));
                  });
            });
    app.start(host, port);
    return new HttpServer(app);
  }

  /** The port it listens on. */
  public int port() {
    return app.port();
  }

  /** Stops listening; requests in progress are ended. */
  public void stop() {
    app.stop();
  }
}
