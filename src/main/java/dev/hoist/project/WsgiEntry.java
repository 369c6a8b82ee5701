package dev.hoist.project;

/**
 * Where gunicorn finds the app: {@code module:callable}, or {@code module:factory()} for an app
 * factory (gunicorn calls it).
 */
public record WsgiEntry(String module, String callable, boolean factory) {
  /** The form gunicorn takes on its command line, e.g. {@code flaskr:create_app()}. */
  public String gunicornForm() {
    return module + ":" + callable + (factory ? "()" : "");
  }
}
