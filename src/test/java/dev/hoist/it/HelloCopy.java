package dev.hoist.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A copy of examples/hello under its own app name for the security tests: it also answers {@code
 * /env/NAME} with the value of an environment variable, and its health gate lets a starting
 * gunicorn take a few seconds (a busy test machine).
 */
final class HelloCopy {
  private HelloCopy() {}

  /** The copy, with {@code yaml} appended to its hoist.yml. */
  static Path make(String app, Path into, String yaml) throws IOException {
    Path project = Hoist.copyExample("hello", "hello", app, into);
    Hoist.replace(
        project.resolve("hello.py"),
        "    else:\n        body, status = \"not found",
        "    elif path.startswith(\"/env/\"):\n"
            + "        body = os.environ.get(path[len(\"/env/\"):], \"(unset)\") + \"\\n\"\n"
            + "        status = \"200 OK\"\n"
            + "    else:\n        body, status = \"not found");
    Hoist.replace(
        project.resolve("hoist.yml"),
        "health: {path: /healthz, contains: ok}",
        "health: {path: /healthz, contains: ok, interval: 250ms, unhealthy: 20}");
    Path yml = project.resolve("hoist.yml");
    Files.writeString(yml, Files.readString(yml) + "\n" + yaml);
    return project;
  }

  /** Sets the {@code version N} the app answers on {@code /}. */
  static void version(Path project, int n) throws IOException {
    Path hello = project.resolve("hello.py");
    Files.writeString(hello, Files.readString(hello).replaceAll("version [0-9]+", "version " + n));
  }

  /**
   * Makes the app answer 500 on its health path: it imports fine, only the health gate fails it.
   */
  static void sicken(Path project) throws IOException {
    Path hello = project.resolve("hello.py");
    Files.writeString(
        hello,
        Files.readString(hello)
            + "\n_inner = application\n"
            + "def application(environ, start_response):\n"
            + "    if environ.get('PATH_INFO') == '/healthz':\n"
            + "        start_response('500 Internal Server Error', [('Content-Type', 'text/plain')])\n"
            + "        return [b'sick']\n"
            + "    return _inner(environ, start_response)\n");
  }
}
