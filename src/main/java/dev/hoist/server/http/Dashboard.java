package dev.hoist.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The dashboard's static files, from the classpath's {@code dev/hoist/server/dashboard/}: {@code
 * index.html} at {@code /}, the rest under {@code /static/}. Plain files, no build step.
 */
final class Dashboard {
  private static final String ROOT = "/dev/hoist/server/dashboard/";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,100}");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "json", "application/json");

  void index(Context ctx) throws IOException {
    serve(ctx, "index.html");
  }

  void file(Context ctx) throws IOException {
    String name = ctx.pathParam("file");
    if (!NAME.matcher(name).matches() || name.equals("index.html")) {
      notFound(ctx);
      return;
    }
    serve(ctx, name);
  }

  private static void serve(Context ctx, String name) throws IOException {
    String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    try (InputStream in = Dashboard.class.getResourceAsStream(ROOT + name)) {
      if (in == null || type == null) {
        notFound(ctx);
        return;
      }
      ctx.header("Cache-Control", "no-cache")
          .header("X-Content-Type-Options", "nosniff")
          .header("X-Frame-Options", "DENY")
          .header(
              "Content-Security-Policy",
              "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
                  + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
          .contentType(type)
          .result(in.readAllBytes());
    }
  }

  private static void notFound(Context ctx) {
    ApiEndpoints.json(ctx, 404, Json.error("no such file", "the dashboard is at /"));
  }
}
