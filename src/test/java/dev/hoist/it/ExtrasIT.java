package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requirements from a local wheelhouse (no PyPI), an extra supervised process, a config template
 * rendered into each release, and a failing release hook that keeps the live release serving.
 */
class ExtrasIT {
  static final String APP = "itextras";
  @TempDir static Path tmp;

  @BeforeAll
  @AfterAll
  static void clean() throws Exception {
    Hoist.purge(APP);
    Hoist.sh(
        "sv -w 15 down /etc/service/hoist-"
            + APP
            + "-ticker >/dev/null 2>&1; sv exit /etc/service/hoist-"
            + APP
            + "-ticker /etc/service/hoist-"
            + APP
            + "-ticker/log >/dev/null 2>&1; rm -rf /etc/service/hoist-"
            + APP
            + "-ticker /etc/sv/hoist-"
            + APP
            + "-ticker /var/log/hoist/"
            + APP
            + "-ticker");
  }

  @Test
  void wheelhouseProcessesTemplatesAndFailingHooks() throws Exception {
    Path project = Files.createDirectories(tmp.resolve(APP));
    Files.createDirectories(project.resolve("wheels"));
    Files.write(project.resolve("wheels/hoistdemo-1.0-py3-none-any.whl"), wheel());
    Files.writeString(project.resolve("requirements.txt"), "hoistdemo==1.0\n");
    Files.writeString(
        project.resolve("app.py"),
        """
        import hoistdemo
        def application(environ, start_response):
            with open('settings.txt') as f:
                settings = f.read()
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [('demo %s; %s' % (hoistdemo.VALUE, settings)).encode()]
        """);
    Files.writeString(
        project.resolve("ticker.py"),
        """
        import os, time
        while True:
            with open(os.path.join(os.environ['HOIST_SHARED'], 'data', 'tick'), 'w') as f:
                f.write(os.environ['GREETING'] + ' from ' + str(os.getuid()))
            time.sleep(0.5)
        """);
    Files.writeString(
        project.resolve("settings.txt.j2"),
        "app={{ app }} release={{ release }} greeting={{ env.GREETING }}\n");
    Files.writeString(
        project.resolve("hoist.yml"),
        """
        app: itextras
        wsgi: app:application
        domain: itextras.test
        requirements: requirements.txt
        wheelhouse: wheels
        env: {GREETING: hi there}
        shared: [data]
        processes: {ticker: python ticker.py}
        templates: {settings.txt: settings.txt.j2}
        """);
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    String body = Http.get(APP + ".test", "/").body();
    assertThat(body).startsWith("demo 42; app=itextras release=2").contains("greeting=hi there");
    Path tick = Path.of("/srv/" + APP + "/shared/data/tick");
    Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> Files.exists(tick));
    String uid = Hoist.sh("id -u " + APP).strip();
    assertThat(Files.readString(tick)).isEqualTo("hi there from " + uid);

    Files.writeString(
        project.resolve("hoist.yml"),
        Files.readString(project.resolve("hoist.yml"))
            + "release: {before_activate: [\"python -c 'import sys; print(\\\"hook says no\\\"); sys.exit(4)'\"]}\n");
    Hoist.Result failed = Hoist.run("deploy", project.toString());
    assertThat(failed.exit()).as(failed.all()).isEqualTo(1);
    assertThat(failed.all())
        .contains("hook-1")
        .contains("exit 4")
        .contains("hook says no")
        .contains("keeps serving");
    assertThat(Http.get(APP + ".test", "/").body()).isEqualTo(body);
  }

  /** A minimal pure-python wheel, built here because PyPI is out of reach. */
  private static byte[] wheel() throws Exception {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("hoistdemo/__init__.py", "VALUE = 42\n");
    files.put(
        "hoistdemo-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: hoistdemo\nVersion: 1.0\n");
    files.put(
        "hoistdemo-1.0.dist-info/WHEEL",
        "Wheel-Version: 1.0\nGenerator: hoist-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
    StringBuilder record = new StringBuilder();
    for (var e : files.entrySet()) {
      byte[] data = e.getValue().getBytes(StandardCharsets.UTF_8);
      String hash =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
      record
          .append(e.getKey())
          .append(",sha256=")
          .append(hash)
          .append(',')
          .append(data.length)
          .append('\n');
    }
    record.append("hoistdemo-1.0.dist-info/RECORD,,\n");
    files.put("hoistdemo-1.0.dist-info/RECORD", record.toString());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (var e : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
