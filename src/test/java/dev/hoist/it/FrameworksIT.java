package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Flask and Django examples deploy and serve for real: factories, static files, shared data,
 * hooks.
 */
class FrameworksIT {
  @TempDir static Path tmp;

  @BeforeAll
  @AfterAll
  static void clean() throws Exception {
    Hoist.purge("itflask");
    Hoist.purge("itdjango");
  }

  @Test
  void flaskFactoryServesStaticFilesAndKeepsSharedDataAcrossReleases() throws Exception {
    Path project = Hoist.copyExample("flask", "flaskapp", "itflask", tmp);
    Hoist.Result first = Hoist.run("deploy", project.toString());
    assertThat(first.exit()).as(first.all()).isZero();
    int before = visits(Http.get("itflask.test", "/").body());
    Http.get("itflask.test", "/");
    Http.Response css = Http.get("itflask.test", "/static/style.css");
    assertThat(css.status()).isEqualTo(200);
    assertThat(css.headers())
        .contains("Cache-Control: max-age=604800")
        .contains("Cache-Control: public");
    assertThat(css.body()).isEqualTo(Files.readString(project.resolve("static/style.css")));

    Files.writeString(project.resolve("flaskapp/extra.py"), "# a change makes a new release\n");
    Hoist.Result second = Hoist.run("deploy", project.toString());
    assertThat(second.exit()).as(second.all()).isZero();
    assertThat(second.out()).contains("live and healthy");
    // The database in the shared instance/ dir survived the new release.
    assertThat(visits(Http.get("itflask.test", "/").body())).isEqualTo(before + 2);
    assertThat(Files.isSymbolicLink(Path.of("/srv/itflask/current/instance"))).isTrue();
  }

  @Test
  void djangoRunsItsReleaseHooksAndServesCollectedStatic() throws Exception {
    Path project = Hoist.copyExample("django", "djangoapp", "itdjango", tmp);
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).contains("hook-1").contains("hook-2");
    Http.Response page = Http.get("itdjango.test", "/");
    assertThat(page.status()).as(page.body()).isEqualTo(200);
    // migrate made the table in the shared SQLite database; the view writes to it.
    assertThat(Files.exists(Path.of("/srv/itdjango/shared/instance/db.sqlite3"))).isTrue();
    Http.Response admin = Http.get("itdjango.test", "/static/visits/style.css");
    assertThat(admin.status()).isEqualTo(200);
    Hoist.Result run =
        Hoist.run(
            "run", project.toString(), "--", "python", "manage.py", "showmigrations", "visits");
    assertThat(run.exit()).as(run.all()).isZero();
    assertThat(run.out()).contains("[X]");
  }

  private static int visits(String body) {
    Matcher m = Pattern.compile("(\\d+) visits").matcher(body);
    assertThat(m.find()).as(body).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
